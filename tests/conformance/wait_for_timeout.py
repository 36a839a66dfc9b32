# wait_for_timeout: on timeout wait_for cancels the inner task, waits until
# it has really ended (its cleanup, which may itself await, has run), and
# only then raises TimeoutError.
import asyncio


async def inner():
    try:
        await asyncio.sleep(10)
    finally:
        print("inner: cleanup starts")
        await asyncio.sleep(0.01)
        print("inner: cleanup ends")


async def main():
    t = asyncio.create_task(inner())
    try:
        await asyncio.wait_for(t, timeout=0.02)
    except asyncio.TimeoutError:
        print("main: TimeoutError; inner done =", t.done(),
              "cancelled =", t.cancelled())

asyncio.run(main())
