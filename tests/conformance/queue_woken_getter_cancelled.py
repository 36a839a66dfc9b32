# queue_woken_getter_cancelled: put() wakes the first getter in line; if
# that getter is cancelled before it gets to run, the wakeup is not lost:
# it passes to the next getter, which takes the item.
import asyncio


async def getter(name, q):
    try:
        item = await q.get()
        print(f"{name} got {item}")
    except asyncio.CancelledError:
        print(f"{name} cancelled after it was woken")
        raise


async def main():
    q = asyncio.Queue()
    g1 = asyncio.create_task(getter("g1", q))
    g2 = asyncio.create_task(getter("g2", q))
    await asyncio.sleep(0)
    q.put_nowait("x")  # wakes g1 ...
    g1.cancel()        # ... which is cancelled before it runs
    await asyncio.gather(g1, g2, return_exceptions=True)
    print("g1 cancelled:", g1.cancelled(), "queue empty:", q.empty())

asyncio.run(main())
