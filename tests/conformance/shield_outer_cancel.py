# shield_outer_cancel: cancelling a task that awaits shield(inner) cancels
# only the awaiting side; the inner task keeps running and its result can
# still be collected.
import asyncio


async def inner():
    await asyncio.sleep(0.3)
    print("inner: finished anyway")
    return 5


async def guard(t):
    try:
        await asyncio.shield(t)
    except asyncio.CancelledError:
        print("guard: cancelled while shielded")
        raise


async def main():
    t = asyncio.create_task(inner())
    g = asyncio.create_task(guard(t))
    await asyncio.sleep(0.1)
    g.cancel()
    try:
        await g
    except asyncio.CancelledError:
        print("main: guard cancelled; inner cancelled =", t.cancelled())
    print("main: inner result", await t)

asyncio.run(main())
