# acm_enter_value: `async with cm as f` binds what __aenter__ returned
# (here the manager itself, holding a connection number); the body and
# __aexit__ both see it.
import asyncio


class Connection:
    def __init__(self):
        self.number = 0

    async def __aenter__(self):
        await asyncio.sleep(0)
        self.number = 42
        print("enter: connected as", self.number)
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await asyncio.sleep(0)
        print("exit: closing", self.number)


async def main():
    async with Connection() as conn:
        print("body: using connection", conn.number)
        conn.number += 1
    print("after the with")

asyncio.run(main())
