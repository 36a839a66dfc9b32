# timeout_reschedule: Timeout.reschedule() moves the deadline of an active
# scope (from none to soon, or from soon to later); a scope that has
# ended refuses to be rescheduled.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(None) as cm:
            print("when() is None:", cm.when() is None)
            cm.reschedule(loop.time() + 0.02)
            print("rescheduled; when() is None:", cm.when() is None)
            await asyncio.sleep(10)
    except TimeoutError:
        print("timed out after reschedule")

    async with asyncio.timeout(0.01) as cm:
        cm.reschedule(loop.time() + 10)
        await asyncio.sleep(0.03)
        print("pushed back: still inside, expired() =", cm.expired())
    print("left in time")
    try:
        cm.reschedule(loop.time() + 1)
    except RuntimeError:
        print("reschedule after the end: refused")

    try:
        async with asyncio.timeout(10) as cm:
            cm.reschedule(None)
            cm.reschedule(loop.time() - 1)
            await asyncio.sleep(10)
    except TimeoutError:
        print("a deadline in the past expires at once")

asyncio.run(main())
