# gather_return_exceptions: with return_exceptions=True gather waits for
# every child and never raises: failures and cancellations take their place
# in the result list, in argument order.
import asyncio


async def ok():
    await asyncio.sleep(0.01)
    return "fine"


async def bad():
    await asyncio.sleep(0.02)
    raise ValueError("boom")


async def sleeper():
    await asyncio.sleep(10)


async def main():
    doomed = asyncio.create_task(sleeper())
    asyncio.get_running_loop().call_later(0.03, doomed.cancel)
    results = await asyncio.gather(bad(), doomed, ok(), return_exceptions=True)
    for r in results:
        if isinstance(r, BaseException):
            print(f"{type(r).__name__}({r})")
        else:
            print(repr(r))

asyncio.run(main())
