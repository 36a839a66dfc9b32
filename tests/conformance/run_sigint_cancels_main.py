# run_sigint_cancels_main: asyncio.run (3.11) installs a SIGINT handler.
# Ctrl-C (here sent by the program to itself from a callback) cancels the
# main task: its cleanup runs, then the other tasks are cancelled as at
# any shutdown, and asyncio.run raises KeyboardInterrupt. Afterwards the
# previous handler is back. (SIGINT is set to its default first: a shell
# may start the program with it ignored.)
import asyncio
import os
import signal


async def child():
    try:
        await asyncio.sleep(1000)
    finally:
        print("child: cleanup")


async def main():
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(child())
    loop.call_soon(os.kill, os.getpid(), signal.SIGINT)
    try:
        await asyncio.sleep(1000)
    except asyncio.CancelledError:
        print("main: cancelled")
        raise
    finally:
        print("main: cleanup")
    await task


signal.signal(signal.SIGINT, signal.default_int_handler)
try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("asyncio.run raised KeyboardInterrupt")
print("the previous SIGINT handler is back:",
      signal.getsignal(signal.SIGINT) is signal.default_int_handler)
