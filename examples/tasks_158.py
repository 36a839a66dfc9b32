# tasks_158.py - the notes' three tasks of 1, 5 and 8 (here hundredths of a
# second): asyncio.wait returns once the longest is done, not after the sum.
import asyncio


async def demo_exp(x):
    print("Waiting:", x)
    await asyncio.sleep(x / 100)
    return f"paused {x} s"


async def main():
    tasks = [asyncio.ensure_future(demo_exp(x)) for x in (1, 5, 8)]
    await asyncio.wait(tasks)
    for t in tasks:
        print("task result is:", t.result())

asyncio.run(main())
