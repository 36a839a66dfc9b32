# future_callback.py - the notes' future set by another task, with two
# done-callbacks (one given an extra argument, functools.partial): main
# awaits the future; the callbacks run after it is set, in order.
import asyncio
import functools


def report(fut):
    print("callback_1:", fut.result())


def report_with(fut, info):
    print(f"callback_2: {fut.result()}_{info}")


async def set_after(fut):
    await asyncio.sleep(0.02)
    print("setting the result")
    fut.set_result("666")


async def main():
    fut = asyncio.get_running_loop().create_future()
    fut.add_done_callback(report)
    fut.add_done_callback(functools.partial(report_with, info="Python"))
    task = asyncio.create_task(set_after(fut))
    print("done?", fut.done())
    data = await fut
    print("main got", data)
    print(fut)
    await task

asyncio.run(main())
