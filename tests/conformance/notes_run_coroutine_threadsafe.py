# notes_run_coroutine_threadsafe: coroutines handed to a loop in another
# thread with run_coroutine_threadsafe run concurrently there, so the
# shorter one finishes first (the notes' max(6, 3) = 6 s, here 300 and
# 100 ms); the concurrent futures carry their results back.
import asyncio
import queue
import threading


async def do_sleep(x, q, msg):
    await asyncio.sleep(x)
    q.put(msg)
    return x * 1000


loop = asyncio.new_event_loop()
thread = threading.Thread(target=loop.run_forever)
thread.start()
q = queue.Queue()
f1 = asyncio.run_coroutine_threadsafe(do_sleep(0.3, q, "first (300 ms)"), loop)
f2 = asyncio.run_coroutine_threadsafe(do_sleep(0.1, q, "second (100 ms)"), loop)
for _ in range(2):
    print(q.get(), "done")
print("results:", round(f1.result()), round(f2.result()))
loop.call_soon_threadsafe(loop.stop)
thread.join()
loop.close()
