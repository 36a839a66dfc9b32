# done_callbacks_scheduled: set_result never runs a done-callback inline. It
# schedules each with call_soon, in registration order, at the moment the
# future finishes: after what was queued before, before what is queued after.
import asyncio
import functools


def on_done(name, fut):
    print(f"done-callback {name}: result {fut.result()}")


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(functools.partial(on_done, "first"))
    fut.add_done_callback(functools.partial(on_done, "second"))
    loop.call_soon(print, "queued before set_result")
    fut.set_result(7)
    print("set_result returned; no callback has run yet")
    fut.add_done_callback(functools.partial(on_done, "added when done"))
    loop.call_soon(print, "queued after set_result")
    await asyncio.sleep(0)
    print("main resumes")

asyncio.run(main())
