# timeout_expires: at the deadline asyncio.timeout() cancels what its body
# awaits; the body's cleanup runs; the scope turns the cancellation into
# TimeoutError. A scope whose body ends in time changes nothing, and a
# cancel() from somebody else stays a cancellation.
import asyncio


async def work():
    try:
        await asyncio.sleep(10)
    finally:
        print("work: cleanup runs")


async def main():
    me = asyncio.current_task()
    try:
        async with asyncio.timeout(0.02) as cm:
            await work()
    except TimeoutError:
        print("timed out; expired() =", cm.expired(),
              "cancelling() =", me.cancelling())

    async with asyncio.timeout(10) as cm:
        await asyncio.sleep(0.01)
    print("in time; expired() =", cm.expired())

    async def guarded():
        async with asyncio.timeout(10):
            await work()

    t = asyncio.create_task(guarded())
    await asyncio.sleep(0)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("cancelled from outside: still a cancellation")

    try:
        async with asyncio.timeout(0):
            await asyncio.sleep(10)
    except TimeoutError:
        print("timeout(0) expires at the first await")

asyncio.run(main())
