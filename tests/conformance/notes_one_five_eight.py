# notes_one_five_eight: the notes' three sleeps of 1, 5 and 8 (here 50, 250
# and 400 ms) run concurrently: asyncio.wait returns after the longest, well
# before their sum (700 ms) - shown by a marker timer set at the sum.
import asyncio


async def demo_exp(x):
    print("Waiting:", x)
    await asyncio.sleep(x / 20)
    return f"paused {x}"


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(0.7, print, "700 ms: a sequential run would end only now")
    tasks = [asyncio.ensure_future(demo_exp(x)) for x in (1, 5, 8)]
    await asyncio.wait(tasks)
    print("wait returned")
    for t in tasks:
        print("task result is:", t.result())
    await asyncio.sleep(0.5)

asyncio.run(main())
