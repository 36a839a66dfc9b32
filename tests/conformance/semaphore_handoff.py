# semaphore_handoff: a Semaphore(2) lets at most two tasks hold it; the
# others wait and are served first come, first served. release() hands its
# place straight to the first waiter (the value stays 0 while anybody
# waits), so a newcomer that asks in the same iteration, before the woken
# waiter has run, still queues behind everyone. (The value printed is the
# counter that Semaphore's repr shows.)
import asyncio


async def worker(name, sem, gate):
    print(f"{name} wants it")
    await sem.acquire()
    print(f"{name} holds it")
    await gate
    sem.release()
    print(f"{name} released it; value {sem._value}")


async def main():
    loop = asyncio.get_running_loop()
    sem = asyncio.Semaphore(2)
    names = ("w1", "w2", "w3", "w4", "late")
    gates = [loop.create_future() for _ in names]
    tasks = [asyncio.create_task(worker(n, sem, g))
             for n, g in zip(names[:4], gates[:4])]
    await asyncio.sleep(0)
    print(f"main: locked {sem.locked()}, value {sem._value}")
    gates[0].set_result(None)  # w1 runs next, then late's first step
    tasks.append(asyncio.create_task(worker("late", sem, gates[4])))
    for i in range(5):
        if not gates[i].done():
            gates[i].set_result(None)
        await tasks[i]
    print(f"main: locked {sem.locked()}, value {sem._value}")

asyncio.run(main())
