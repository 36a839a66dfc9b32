# executor_returns_object: a job run in the executor can return any
# object, not just a number: here bytes and a record. The awaiting
# coroutine gets it whole.
import asyncio


def read_block(n):
    return bytes(range(n))


def make_record(name):
    return {"name": name, "size": len(name)}


async def main():
    loop = asyncio.get_running_loop()
    block = await loop.run_in_executor(None, read_block, 5)
    print("bytes:", len(block), list(block))
    record = await loop.run_in_executor(None, make_record, "report")
    print("record:", record["name"], record["size"])
    empty = await loop.run_in_executor(None, read_block, 0)
    print("empty bytes:", len(empty))

asyncio.run(main())
