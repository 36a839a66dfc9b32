# timeout_none: asyncio.timeout(None) is a scope without a deadline: the
# body runs to its end, nothing expires; the deadline can be set later.
import asyncio


async def main():
    async with asyncio.timeout(None) as cm:
        print("when() is None:", cm.when() is None)
        await asyncio.sleep(0.02)
        print("body done; expired() =", cm.expired())
    print("left; expired() =", cm.expired())

    async with asyncio.timeout_at(None) as cm:
        await asyncio.sleep(0)
    print("timeout_at(None) too; expired() =", cm.expired())

asyncio.run(main())
