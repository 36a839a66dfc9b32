# acm_enter_fails_no_exit: when __aenter__ fails, neither the body nor
# __aexit__ runs; the failure reaches the code around the async with.
import asyncio


class Flaky:
    async def __aenter__(self):
        await asyncio.sleep(0)
        print("enter: fails")
        raise ValueError("no connection")

    async def __aexit__(self, exc_type, exc, tb):
        print("exit: runs (it must not)")


async def main():
    try:
        async with Flaky():
            print("body: runs (it must not)")
    except ValueError as e:
        print("caught:", e)
    print("after the with")

asyncio.run(main())
