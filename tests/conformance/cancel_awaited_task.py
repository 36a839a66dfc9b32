# cancel_awaited_task: cancelling a task that awaits another task cancels
# the one it awaits (the future it is blocked on), which unwinds first; the
# outer task then sees that cancellation at its await and unwinds too.
import asyncio


async def inner():
    try:
        await asyncio.sleep(10)
    finally:
        print("inner: finally")


async def outer(t_inner):
    try:
        await t_inner
    finally:
        print("outer: finally")


async def main():
    ti = asyncio.create_task(inner())
    to = asyncio.create_task(outer(ti))
    await asyncio.sleep(0)
    print("cancel outer ->", to.cancel())
    try:
        await to
    except asyncio.CancelledError:
        pass
    print("outer cancelled =", to.cancelled(), "inner cancelled =", ti.cancelled())

asyncio.run(main())
