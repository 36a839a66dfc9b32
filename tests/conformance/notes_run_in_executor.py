# notes_run_in_executor: a blocking function handed to run_in_executor runs
# on a pool thread; the coroutine awaits an asyncio future that wraps the
# pool's concurrent future, and other tasks keep running meanwhile.
import asyncio
import threading

done_blocking = threading.Event()


def func1():
    done_blocking.wait()  # blocks its thread until the loop says go
    return "SB"


async def other():
    print("other task runs while func1 blocks")
    done_blocking.set()


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.run_in_executor(None, func1)
    asyncio.create_task(other())
    result = await fut
    print("default thread pool", result)

asyncio.run(main())
