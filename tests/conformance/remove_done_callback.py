# remove_done_callback: removes every registration of that callback that has
# not run yet and says how many; the others still run, in order.
import asyncio


def cb_a(fut):
    print("cb_a")


def cb_b(fut):
    print("cb_b")


async def main():
    fut = asyncio.get_running_loop().create_future()
    fut.add_done_callback(cb_a)
    fut.add_done_callback(cb_b)
    fut.add_done_callback(cb_a)
    print("removed", fut.remove_done_callback(cb_a))
    print("removed again", fut.remove_done_callback(cb_a))
    fut.set_result(None)
    await asyncio.sleep(0)
    print("main resumes")

asyncio.run(main())
