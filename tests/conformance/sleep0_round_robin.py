# sleep0_round_robin: await asyncio.sleep(0) gives the loop back for exactly
# one turn; tasks that do it take turns in the order they were created.
import asyncio


async def worker(name):
    for i in range(3):
        print(f"{name}{i}")
        await asyncio.sleep(0)


async def main():
    tasks = [asyncio.create_task(worker(n)) for n in "ABC"]
    for t in tasks:
        await t
    print("all done")

asyncio.run(main())
