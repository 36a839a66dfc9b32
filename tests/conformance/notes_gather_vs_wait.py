# notes_gather_vs_wait: gather hands back the results as a list in argument
# order; wait hands back two sets, done and pending, and the results stay in
# the tasks.
import asyncio


async def demo_exp(x):
    await asyncio.sleep(x / 100)
    return f"paused {x}"


async def main():
    results = await asyncio.gather(demo_exp(5), demo_exp(1))
    print("gather:", results)
    tasks = [asyncio.create_task(demo_exp(x)) for x in (5, 1)]
    done, pending = await asyncio.wait(tasks)
    print("wait: done", len(done), "pending", len(pending))
    print("wait: results", sorted(t.result() for t in done))

asyncio.run(main())
