# gather_first_failure: without return_exceptions, the first child to fail
# makes gather raise at once; the other children are NOT cancelled and
# carry on to the end.
import asyncio


async def ok(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} finishes")
    return name


async def bad(delay):
    await asyncio.sleep(delay)
    print("bad raises")
    raise ValueError("boom")


async def main():
    sibling = asyncio.create_task(ok("sibling", 0.3))
    failing = asyncio.create_task(bad(0.01))
    try:
        await asyncio.gather(sibling, failing)
    except ValueError as e:
        print("gather raised:", e)
    print("sibling still running:", not sibling.done())
    print("sibling result:", await sibling)

asyncio.run(main())
