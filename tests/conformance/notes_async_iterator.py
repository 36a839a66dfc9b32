# notes_async_iterator: an object with __aiter__/__anext__ drives async for;
# each item may be awaited for, and StopAsyncIteration ends the loop.
import asyncio


class Reader:
    def __init__(self, last):
        self.count = 0
        self.last = last

    async def readline(self):
        await asyncio.sleep(0)
        self.count += 1
        return None if self.count > self.last else self.count

    def __aiter__(self):
        return self

    async def __anext__(self):
        val = await self.readline()
        if val is None:
            raise StopAsyncIteration
        return val


async def main():
    async for item in Reader(4):
        print("item", item)
    print("async for ended")

asyncio.run(main())
