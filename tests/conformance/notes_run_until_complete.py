# notes_run_until_complete: the notes' older style: make a loop, wrap the
# coroutine in a task (ensure_future), run_until_complete, then ask the task
# whether it is done and for its result.
import asyncio


async def demo_exp(data):
    print("demo_exp got", data)
    return "OK"


loop = asyncio.new_event_loop()
task = loop.create_task(demo_exp("Hello World"))
print("before the run: done =", task.done())
loop.run_until_complete(task)
print("after the run: done =", task.done(), "result =", task.result())
loop.close()
