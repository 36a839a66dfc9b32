# shutdown_default_executor_drains: main queues three jobs on a one-thread
# default executor and returns without awaiting them (the first waits for
# main to be over, so the others are still queued). asyncio.run lets the
# executor run them all before it returns (shutdown_default_executor), and
# their futures get their results.
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

gate = threading.Event()
futures = []


def job(n):
    if n == 1:
        gate.wait()
    print(f"job {n} runs")
    return n * 10


async def main():
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    for n in (1, 2, 3):
        futures.append(loop.run_in_executor(None, job, n))
    print("main returns without awaiting the jobs")
    gate.set()

asyncio.run(main())
for f in futures:
    print("done" if f.done() else "pending", f.result() if f.done() else "")
