# queue_getters_fifo: consumers waiting on an empty Queue are served in the
# order they started waiting, one item each; a bounded queue makes a
# producer wait for room.
import asyncio


async def consumer(name, q):
    item = await q.get()
    print(f"{name} got {item}")


async def producer(q):
    for item in ("x", "y", "z"):
        await q.put(item)
        print(f"producer put {item}")


async def main():
    q = asyncio.Queue(maxsize=1)
    consumers = [asyncio.create_task(consumer(n, q)) for n in ("c1", "c2", "c3")]
    await asyncio.sleep(0)
    await producer(q)
    for c in consumers:
        await c
    print("queue empty:", q.empty())

asyncio.run(main())
