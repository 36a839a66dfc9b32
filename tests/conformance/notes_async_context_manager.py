# notes_async_context_manager: async with awaits __aenter__, runs the body,
# then awaits __aexit__ whether the body returned or raised; the exit sees
# the exception and does not swallow it unless it returns True.
import asyncio


class Connection:
    async def __aenter__(self):
        print("aenter: connecting")
        await asyncio.sleep(0.01)
        print("aenter: connected")
        return self

    async def do_something(self):
        return 666

    async def __aexit__(self, exc_type, exc, tb):
        print("aexit: closing; body raised:",
              exc_type.__name__ if exc_type else None)
        await asyncio.sleep(0.01)
        print("aexit: closed")


async def main():
    async with Connection() as conn:
        print("body: result", await conn.do_something())
    try:
        async with Connection():
            raise ValueError("body failed")
    except ValueError as e:
        print("main: the failure went on:", e)

asyncio.run(main())
