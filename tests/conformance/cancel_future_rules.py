# cancel_future_rules: a plain future is cancelled at once (no coroutine to
# unwind): cancel() returns True and cancelled() is True straight away; its
# done-callbacks are scheduled, not run inline; result() raises
# CancelledError; cancel() on a finished future returns False.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(lambda f: print("done-callback: cancelled =", f.cancelled()))
    print("cancel() ->", fut.cancel())
    print("cancelled() =", fut.cancelled(), "done() =", fut.done())
    try:
        fut.result()
    except asyncio.CancelledError:
        print("result() raises CancelledError")
    await asyncio.sleep(0)
    print("cancel() again ->", fut.cancel())
    other = loop.create_future()
    other.set_result(1)
    print("cancel() on a finished future ->", other.cancel())

asyncio.run(main())
