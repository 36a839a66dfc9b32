# wait_for_outer_cancel: cancelling the task that awaits wait_for cancels
# the inner task too, and waits until it has really ended (its cleanup,
# which may itself await, has run) before the awaiting task sees its own
# cancellation.
import asyncio


async def inner():
    try:
        await asyncio.sleep(10)
    finally:
        print("inner: cleanup starts")
        await asyncio.sleep(0)
        print("inner: cleanup ends")


async def waiting(t):
    try:
        await asyncio.wait_for(t, timeout=10)
    except asyncio.CancelledError:
        print("waiting: cancelled; inner done =", t.done(),
              "cancelled =", t.cancelled())
        raise


async def main():
    t = asyncio.create_task(inner())
    w = asyncio.create_task(waiting(t))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("main: cancel ->", w.cancel())
    try:
        await w
    except asyncio.CancelledError:
        print("main: waiting cancelled =", w.cancelled())

asyncio.run(main())
