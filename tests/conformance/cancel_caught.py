# cancel_caught: a coroutine may catch the cancellation and return normally;
# its task then finishes with that result and is NOT cancelled.
import asyncio


async def stubborn():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("stubborn: caught the cancellation, returning 42")
    return 42


async def main():
    t = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    print("cancel() ->", t.cancel())
    r = await t
    print("result", r, "cancelled() =", t.cancelled())

asyncio.run(main())
