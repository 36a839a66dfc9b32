# cancel_task_rules: cancel() on a pending task returns True (again True
# while the first is on its way) but the task is not cancelled() yet: only
# once its coroutine has ended by the cancellation. On a done task it
# returns False. The awaiter sees CancelledError.
import asyncio


async def sleeper():
    try:
        await asyncio.sleep(10)
    finally:
        print("sleeper: cleanup runs")


async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    print("cancel() ->", t.cancel())
    print("cancel() again ->", t.cancel())
    print("right after: cancelled() =", t.cancelled(), "done() =", t.done())
    try:
        await t
    except asyncio.CancelledError:
        print("awaiter sees CancelledError")
    print("after it ended: cancelled() =", t.cancelled(), "done() =", t.done())
    print("cancel() on a done task ->", t.cancel())

asyncio.run(main())
