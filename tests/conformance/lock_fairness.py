# lock_fairness: a Lock is handed to its waiters first come, first served;
# a newcomer arriving while others wait queues behind them even if the lock
# happens to be free at that instant.
import asyncio


async def worker(name, lock):
    async with lock:
        print(f"{name} holds the lock")
        await asyncio.sleep(0.01)
    print(f"{name} released it")


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    tasks = [asyncio.create_task(worker(n, lock)) for n in ("w1", "w2", "w3")]
    await asyncio.sleep(0)
    print("main releases; waiting: w1 w2 w3")
    lock.release()
    late = asyncio.create_task(worker("late", lock))
    for t in tasks + [late]:
        await t
    print("locked at the end:", lock.locked())

asyncio.run(main())
