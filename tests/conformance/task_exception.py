# task_exception: a coroutine that raises finishes its task with that
# exception; whoever awaits the task sees it, message and all, and the
# task's exception() returns it.
import asyncio


async def fails():
    await asyncio.sleep(0)
    raise ValueError("bad input")


async def main():
    t = asyncio.create_task(fails())
    try:
        await t
    except ValueError as e:
        print("awaiter caught:", e)
    print("task done:", t.done(), "cancelled:", t.cancelled())
    print("exception():", t.exception())

asyncio.run(main())
