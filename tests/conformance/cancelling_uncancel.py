# cancelling_uncancel: 3.11's cancel counts. cancel() adds one every time,
# even while a cancellation is on its way; uncancel() takes one back and
# says how many remain; catching the cancellation does not reset the count.
import asyncio


async def stubborn():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        me = asyncio.current_task()
        print("stubborn: caught, cancelling() =", me.cancelling())
        print("stubborn: uncancel() ->", me.uncancel())
        print("stubborn: uncancel() ->", me.uncancel())
        print("stubborn: uncancel() ->", me.uncancel())
    await asyncio.sleep(0)
    print("stubborn: carries on, cancelling() =",
          asyncio.current_task().cancelling())
    return 7


async def main():
    t = asyncio.create_task(stubborn())
    print("fresh task: cancelling() =", t.cancelling())
    await asyncio.sleep(0)
    print("cancel() ->", t.cancel(), "cancelling() =", t.cancelling())
    print("cancel() ->", t.cancel(), "cancelling() =", t.cancelling())
    r = await t
    print("result", r, "cancelled() =", t.cancelled(),
          "cancelling() =", t.cancelling())
    print("cancel() on a done task ->", t.cancel(),
          "cancelling() =", t.cancelling())

    async def victim():
        await asyncio.sleep(10)
    v = asyncio.create_task(victim())
    await asyncio.sleep(0)
    v.cancel()
    try:
        await v
    except asyncio.CancelledError:
        print("victim cancelled, cancelling() =", v.cancelling())
    print("uncancel() ->", v.uncancel(), "then", v.uncancel())

asyncio.run(main())
