# await_done_future: awaiting a future (or task) that is already done does
# not suspend: the result comes back at once and no other task runs between.
import asyncio


async def other():
    print("other task runs")


async def main():
    fut = asyncio.get_running_loop().create_future()
    fut.set_result(5)
    asyncio.create_task(other())
    v = await fut
    print("got", v, "without giving the loop back")
    await asyncio.sleep(0)
    print("main after a real suspension")

asyncio.run(main())
