# notes_future_set_by_task: a bare future finishes only when somebody sets
# it; here a task does so after a sleep, and main's await returns its value.
import asyncio


async def set_after(fut):
    await asyncio.sleep(0.02)
    print("set_after: setting the result")
    fut.set_result("666")


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    asyncio.create_task(set_after(fut))
    print("main: awaiting the future")
    data = await fut
    print("main: got", data)

asyncio.run(main())
