# as_completed_order: as_completed hands out its results in the order the
# awaitables complete, not the order they were given; a failure is raised
# by the await that hands it out; when the timeout passes, each await still
# to come raises TimeoutError, and the item not done yet is not cancelled.
# A setter task finishes c, a, d and b one loop iteration apart.
import asyncio


async def job(gate, value):
    await gate
    if value < 0:
        raise ValueError("d failed")
    return value


async def setter(gates):
    for name in ("c", "a", "d", "b"):
        gates[name].set_result(None)
        await asyncio.sleep(0)


async def main():
    loop = asyncio.get_running_loop()
    values = {"a": 1, "b": 2, "c": 3, "d": -1, "e": 5}
    gates = {name: loop.create_future() for name in values}
    tasks = {name: asyncio.create_task(job(gates[name], v))
             for name, v in values.items()}
    asyncio.create_task(setter(gates))
    for f in asyncio.as_completed(list(tasks.values()), timeout=0.3):
        try:
            print("result", await f)
        except ValueError as e:
            print("ValueError:", e)
        except asyncio.TimeoutError:
            print("TimeoutError")
    print("e cancelled by the timeout:", tasks["e"].cancelled())
    tasks["e"].cancel()

asyncio.run(main())
