# gather_order: gather's results come in argument order, not in the order
# the children finish; gather of nothing is an immediate empty list.
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} finishes")
    return name


async def main():
    results = await asyncio.gather(job("slow", 0.04), job("fast", 0.01),
                                   job("middle", 0.02))
    print("results:", results)
    print("gather() of nothing:", await asyncio.gather())

asyncio.run(main())
