# wait_for_cancel_caught: when wait_for's timeout cancels an inner task
# that catches the cancellation and returns a value, Python 3.11's wait_for
# returns that value instead of raising TimeoutError: a result that made it
# is never thrown away. The same holds for timeout=0, which cancels at
# once. The inner task ends with its result: it is not cancelled.
import asyncio


async def stubborn(name, value):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print(f"{name}: cancelled; returns {value} instead")
        return value
    return 0


async def main():
    t = asyncio.create_task(stubborn("inner", 42))
    try:
        r = await asyncio.wait_for(t, timeout=0.05)
        print("main: wait_for returned", r)
    except asyncio.TimeoutError:
        print("main: TimeoutError")
    print("main: inner done =", t.done(), "cancelled =", t.cancelled())
    t = asyncio.create_task(stubborn("second", 7))
    await asyncio.sleep(0)  # let it start sleeping
    try:
        r = await asyncio.wait_for(t, timeout=0)
        print("main: wait_for(timeout=0) returned", r)
    except asyncio.TimeoutError:
        print("main: TimeoutError")
    print("main: second done =", t.done(), "cancelled =", t.cancelled())

asyncio.run(main())
