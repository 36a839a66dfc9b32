# gather_cancel_outer: cancelling gather's outer future cancels every child
# still running; the outer ends cancelled only after the children have
# reacted, so their cleanup runs before the awaiter resumes.
import asyncio


async def child(name):
    try:
        await asyncio.sleep(10)
    finally:
        print(f"{name}: cleanup")


async def main():
    c1 = asyncio.create_task(child("c1"))
    c2 = asyncio.create_task(child("c2"))
    g = asyncio.gather(c1, c2)
    await asyncio.sleep(0)
    print("cancel() ->", g.cancel())
    try:
        await g
    except asyncio.CancelledError:
        print("awaiting gather: CancelledError")
    print("children cancelled:", c1.cancelled(), c2.cancelled())

asyncio.run(main())
