# task_creation_runs_nothing: create_task only schedules the task's first
# step with call_soon; not one line of the coroutine runs until the creator
# gives the loop back.
import asyncio


async def child():
    print("child: first step")
    return 5


async def main():
    t = asyncio.create_task(child())
    print("main: task created, done =", t.done())
    print("main: still running, child has printed nothing")
    await asyncio.sleep(0)
    print("main: resumed, done =", t.done(), "result =", t.result())

asyncio.run(main())
