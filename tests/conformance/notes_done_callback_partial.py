# notes_done_callback_partial: done-callbacks on a task, one plain and one
# with an extra argument bound by functools.partial; they run after the task
# finishes, in the order they were added.
import asyncio
import functools


async def demo_exp(data):
    await asyncio.sleep(0.01)
    print("demo_exp:", data)
    return "OK"


def callback_1(fut):
    print("callback_1:", fut.result())


def callback_2(fut, info):
    print(f"callback_2: {fut.result()}_{info}")


loop = asyncio.new_event_loop()
task = loop.create_task(demo_exp("Hello World"))
task.add_done_callback(callback_1)
task.add_done_callback(functools.partial(callback_2, info="Python"))
loop.run_until_complete(task)
print("run_until_complete returned")
loop.close()
