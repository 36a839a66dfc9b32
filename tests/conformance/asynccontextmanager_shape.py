# asynccontextmanager_shape: a context manager written as one async
# generator (contextlib.asynccontextmanager): the code before the yield is
# the enter, the yielded value is `as f`, the code after it the exit. A
# failure in the body is raised at the yield: a generator that catches it
# swallows it; one that lets it go (its finally still runs) passes it on.
import asyncio
import contextlib


@contextlib.asynccontextmanager
async def opened(name, forgiving):
    print(f"{name}: open")
    await asyncio.sleep(0)
    try:
        yield f"{name}-handle"
    except ValueError as e:
        if not forgiving:
            raise
        print(f"{name}: swallowed", e)
    finally:
        await asyncio.sleep(0)
        print(f"{name}: closed")


async def main():
    async with opened("a", False) as f:
        print("body got", f)
    async with opened("b", True) as f:
        print("body got", f)
        raise ValueError("body broke")
    print("after b")
    try:
        async with opened("c", False) as f:
            print("body got", f)
            raise ValueError("body broke")
    except ValueError as e:
        print("the caller caught:", e)

asyncio.run(main())
