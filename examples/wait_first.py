# wait_first.py - asyncio.wait with FIRST_COMPLETED: it returns as soon as
# one task is done; the others are still pending, and main cancels them.
import asyncio


async def worker(name, seconds):
    try:
        await asyncio.sleep(seconds)
        return name
    finally:
        print(name, "ends")


async def main():
    tasks = [asyncio.ensure_future(worker(n, s))
             for n, s in (("slow", 0.05), ("fast", 0.01), ("late", 0.08))]
    done, pending = await asyncio.wait(tasks,
                                       return_when=asyncio.FIRST_COMPLETED)
    for t in done:
        print("done:", t.get_name(), t.result())
    for t in tasks:
        if t in pending:
            print("pending:", t.get_name(), "cancel() ->", t.cancel())
    await asyncio.wait(pending)
    print(tasks[0])

asyncio.run(main())
