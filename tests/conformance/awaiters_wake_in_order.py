# awaiters_wake_in_order: several tasks awaiting one future are its
# done-callbacks, so they wake in the order they started waiting.
import asyncio


async def waiter(name, fut):
    print(f"{name} waits")
    v = await fut
    print(f"{name} wakes with {v}")


async def main():
    fut = asyncio.get_running_loop().create_future()
    tasks = [asyncio.create_task(waiter(n, fut)) for n in ("w1", "w2", "w3")]
    await asyncio.sleep(0)
    print("main sets the result")
    fut.set_result(42)
    for t in tasks:
        await t
    print("main done")

asyncio.run(main())
