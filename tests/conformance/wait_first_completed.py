# wait_first_completed: return_when=FIRST_COMPLETED returns as soon as one
# task is done; FIRST_EXCEPTION returns at the first failure (or when all
# are done). The rest keep running.
import asyncio


async def job(delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError("boom")
    return delay


async def main():
    a = asyncio.create_task(job(0.01), name="a")
    b = asyncio.create_task(job(0.3), name="b")
    done, pending = await asyncio.wait([a, b], return_when=asyncio.FIRST_COMPLETED)
    print("FIRST_COMPLETED done:", sorted(t.get_name() for t in done),
          "pending:", sorted(t.get_name() for t in pending))
    c = asyncio.create_task(job(0.01, fail=True), name="c")
    done, pending = await asyncio.wait([b, c], return_when=asyncio.FIRST_EXCEPTION)
    print("FIRST_EXCEPTION done:", sorted(t.get_name() for t in done),
          "pending:", sorted(t.get_name() for t in pending))
    print("c failed with:", c.exception())
    await b
    print("b finished later")

asyncio.run(main())
