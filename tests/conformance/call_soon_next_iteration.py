# call_soon_next_iteration: one loop iteration runs only the callbacks that
# were ready when it began; what they schedule waits for the next iteration,
# behind everything queued before it (here: main's own next step).
import asyncio


def d():
    print("d (scheduled by a)")


def a(loop):
    print("a schedules d")
    loop.call_soon(d)


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(a, loop)
    loop.call_soon(print, "b")
    loop.call_soon(print, "c")
    await asyncio.sleep(0)
    print("main resumes: after c, before d")
    await asyncio.sleep(0)
    print("main resumes again: after d")

asyncio.run(main())
