# wait_for_zero: wait_for with timeout 0 (Python 3.11). A future already
# done gives its outcome at once, without a suspension (the other task has
# not run yet); a pending task is cancelled, its cleanup runs, and then
# TimeoutError; a coroutine becomes a task that is cancelled before it
# starts, so not one line of it runs.
import asyncio


async def other():
    print("other task runs")


async def work(name):
    try:
        print(name, "starts")
        await asyncio.sleep(1)
        return "finished"
    finally:
        print(name, "cleanup")


async def main():
    loop = asyncio.get_running_loop()
    t = asyncio.create_task(other())
    f = loop.create_future()
    f.set_result(5)
    print("done future:", await asyncio.wait_for(f, 0))
    failed = loop.create_future()
    failed.set_exception(ValueError("no"))
    try:
        await asyncio.wait_for(failed, 0)
    except ValueError:
        print("done failed future: its own failure")
    await t
    w = asyncio.create_task(work("task"))
    await asyncio.sleep(0)
    try:
        await asyncio.wait_for(w, 0)
    except asyncio.TimeoutError:
        print("pending task: TimeoutError, cancelled =", w.cancelled())
    try:
        await asyncio.wait_for(work("coroutine"), 0)
    except asyncio.TimeoutError:
        print("coroutine: TimeoutError")

asyncio.run(main())
