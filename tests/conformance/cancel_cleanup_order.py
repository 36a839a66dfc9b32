# cancel_cleanup_order: a cancellation is delivered at the innermost
# suspension point and unwinds the await chain outwards: the innermost
# finally runs first, the task's own last, and only then does the awaiter
# see the task cancelled.
import asyncio


async def level2():
    try:
        print("level2: waiting")
        await asyncio.sleep(10)
    finally:
        print("level2: finally")


async def level1():
    try:
        await level2()
    finally:
        print("level1: finally")


async def top():
    try:
        await level1()
    finally:
        print("top: finally")


async def main():
    t = asyncio.create_task(top())
    await asyncio.sleep(0)
    t.cancel()
    print("main: cancel requested")
    try:
        await t
    except asyncio.CancelledError:
        print("main: task cancelled =", t.cancelled())

asyncio.run(main())
