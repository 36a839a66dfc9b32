# condition_notify: Condition.notify(n) wakes the n longest waiters, in the
# order they began waiting, and notify_all() wakes the rest; a woken waiter
# returns from wait() only once it holds the lock again, so it cannot run
# while the notifier still holds it. notify() with nobody waiting does
# nothing.
import asyncio


async def waiter(name, cond):
    async with cond:
        print(f"{name} waits")
        await cond.wait()
        print(f"{name} woken, holds the lock: {cond.locked()}")


async def main():
    cond = asyncio.Condition()
    tasks = [asyncio.create_task(waiter(n, cond)) for n in ("w1", "w2", "w3", "w4")]
    await asyncio.sleep(0)
    async with cond:
        print("main: notify(1)")
        cond.notify(1)
        await asyncio.sleep(0)  # w1 is woken, but the lock is main's
        print("main: still holds the lock")
    await tasks[0]
    async with cond:
        print("main: notify(2)")
        cond.notify(2)
    await tasks[1]
    await tasks[2]
    tasks.append(asyncio.create_task(waiter("w5", cond)))
    await asyncio.sleep(0)
    async with cond:
        print("main: notify_all()")
        cond.notify_all()
    await tasks[3]
    await tasks[4]
    async with cond:
        cond.notify()
        print("main: notify() with nobody waiting does nothing")
    print("main: locked at the end:", cond.locked())

asyncio.run(main())
