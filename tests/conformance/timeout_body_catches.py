# timeout_body_catches: a body that catches the cancellation and returns
# normally ends the scope normally: no TimeoutError, but expired() says the
# deadline passed, and the count of cancel requests is back at 0.
import asyncio


async def main():
    me = asyncio.current_task()
    async with asyncio.timeout(0.02) as cm:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            print("body: caught the cancellation, cancelling() =",
                  me.cancelling())
        print("body: returns normally")
    print("after the scope: expired() =", cm.expired(),
          "cancelling() =", me.cancelling())
    await asyncio.sleep(0)
    print("main: still runs")

asyncio.run(main())
