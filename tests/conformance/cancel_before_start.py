# cancel_before_start: a task cancelled before its first step never runs a
# line of its coroutine, not even its finally; it simply ends cancelled.
import asyncio


async def body():
    try:
        print("body: this line never runs")
        await asyncio.sleep(0)
    finally:
        print("body: nor does this finally")


async def main():
    t = asyncio.create_task(body())
    print("cancel() before the first step ->", t.cancel())
    try:
        await t
    except asyncio.CancelledError:
        print("awaiter sees CancelledError; cancelled() =", t.cancelled())

asyncio.run(main())
