# wait_timeout: asyncio.wait returns (done, pending) when its timeout
# passes; it never raises TimeoutError and cancels nothing: the pending task
# is still running afterwards.
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} finishes")
    return name


async def main():
    fast = asyncio.create_task(job("fast", 0.01), name="fast")
    slow = asyncio.create_task(job("slow", 0.6), name="slow")
    done, pending = await asyncio.wait([fast, slow], timeout=0.3)
    print("done:", sorted(t.get_name() for t in done))
    print("pending:", sorted(t.get_name() for t in pending))
    print("slow cancelled:", slow.cancelled())
    await slow
    print("slow result:", slow.result())

asyncio.run(main())
