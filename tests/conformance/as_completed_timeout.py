# as_completed_timeout: as_completed with a timeout hands out what finished
# in time; once the timeout passes, every later await fails with
# TimeoutError. The items themselves are not cancelled.
import asyncio


async def job(n, delay):
    await asyncio.sleep(delay)
    return n


async def main():
    tasks = [asyncio.create_task(job(1, 0.01)),
             asyncio.create_task(job(2, 5)),
             asyncio.create_task(job(3, 0.02))]
    for f in asyncio.as_completed(tasks, timeout=0.1):
        try:
            print("got", await f)
        except asyncio.TimeoutError:
            print("TimeoutError")
    print("slow job done:", tasks[1].done())
    tasks[1].cancel()

asyncio.run(main())
