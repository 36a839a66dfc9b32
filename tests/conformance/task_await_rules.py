# task_await_rules: a task that awaits itself, or a future of another
# event loop, gets a RuntimeError thrown in at that await (the task's own
# bug, so its coroutine may catch it and carry on); nothing is left
# waiting, and the task ends normally.
import asyncio


async def selfish(other_loop_future):
    me = asyncio.current_task()
    try:
        await me
    except RuntimeError:
        print("await itself: RuntimeError")
    try:
        await other_loop_future
    except RuntimeError:
        print("await a future of another loop: RuntimeError")
    return "still fine"


async def main():
    other_loop = asyncio.new_event_loop()
    fut = other_loop.create_future()
    t = asyncio.create_task(selfish(fut))
    print("main: task result", await t)
    print("main: the other loop's future is still pending:", not fut.done())
    other_loop.close()

asyncio.run(main())
