# notes_ctrl_c: Ctrl-C (SIGINT, sent to ourselves at 0.3 s) cancels every
# task: cancel() is False for the one already finished and True for the two
# still sleeping, whose cleanup then runs (the notes' 1, 5 and 8 s, here 0.1,
# 0.5 and 0.8 s). The handler is a loop callback, not a real signal handler.
import asyncio
import os
import signal


async def demo_exp(x):
    try:
        await asyncio.sleep(x / 10)
        return f"paused {x}"
    finally:
        print(f"demo_exp({x}): finally")


async def main():
    loop = asyncio.get_running_loop()
    tasks = [asyncio.create_task(demo_exp(x)) for x in (1, 5, 8)]

    def on_sigint():
        print("SIGINT: cancelling every task")
        for t in tasks:
            print("cancel() ->", t.cancel())

    loop.add_signal_handler(signal.SIGINT, on_sigint)
    loop.call_later(0.3, os.kill, os.getpid(), signal.SIGINT)
    await asyncio.wait(tasks)
    for t in tasks:
        print("cancelled" if t.cancelled() else t.result())
    loop.remove_signal_handler(signal.SIGINT)

asyncio.run(main())
