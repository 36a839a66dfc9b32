# acm_exit_suppresses: __aexit__ sees how the body ended; returning True
# swallows the failure (the code after the with runs as if nothing
# happened), returning False lets it go on to the caller.
import asyncio


class Guard:
    def __init__(self, swallow):
        self.swallow = swallow

    async def __aenter__(self):
        print("enter, swallow:", self.swallow)

    async def __aexit__(self, exc_type, exc, tb):
        await asyncio.sleep(0)
        print("exit sees:", exc)
        return self.swallow


async def guarded(swallow):
    async with Guard(swallow):
        raise ValueError("body broke")
    print("after the with")


async def main():
    await guarded(True)
    try:
        await guarded(False)
    except ValueError as e:
        print("the caller caught:", e)

asyncio.run(main())
