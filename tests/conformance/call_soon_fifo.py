# call_soon_fifo: loop.call_soon is first in, first out, and a task's next
# step waits in the same queue as everybody else's callbacks.
import asyncio


def callback(n):
    print(f"callback {n}")


async def main():
    loop = asyncio.get_running_loop()
    for n in range(1, 6):
        loop.call_soon(callback, n)
    print("main scheduled 5 callbacks")
    await asyncio.sleep(0)  # main's next step joins the queue after them
    print("main resumes after all 5")

asyncio.run(main())
