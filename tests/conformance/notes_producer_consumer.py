# notes_producer_consumer: the notes' producer/consumer. A job source (the
# notes' Redis list, here a plain list) is drained by a consumer thread,
# which hands each job to a loop running forever in a third thread with
# run_coroutine_threadsafe; the loop's tasks process the jobs concurrently
# and report to the main thread through a thread-safe queue. The notes'
# jobs of 5, 3 and 1 s (here 0.5, 0.3 and 0.1 s) finish shortest first,
# and all three together take about 0.5 s, not 0.9: a marker job handed
# over first, due at 0.9 s, is still pending when the last job is done.
import asyncio
import queue
import threading


async def do_sleep(x, results):
    results.put(f"job {x} starts")
    await asyncio.sleep(x / 10)
    results.put(f"job {x} done")
    return x


async def marker(results):
    await asyncio.sleep(0.9)
    results.put("marker: 0.9 s have passed")


def start_loop(loop):
    asyncio.set_event_loop(loop)
    loop.run_forever()


def consumer(source, loop, handed):
    while True:
        job = source.pop() if source else None  # rpop
        if job is None:
            break
        handed.append(asyncio.run_coroutine_threadsafe(do_sleep(job, results), loop))


new_loop = asyncio.new_event_loop()
loop_thread = threading.Thread(target=start_loop, args=(new_loop,))
loop_thread.start()
results = queue.Queue()
mark = asyncio.run_coroutine_threadsafe(marker(results), new_loop)
source = [1, 3, 5]  # rpop takes 5 first
handed = []
consumer_thread = threading.Thread(target=consumer, args=(source, new_loop, handed))
consumer_thread.start()
for _ in range(6):
    print(results.get())
consumer_thread.join()
print("source empty; jobs handed to the loop:", [f.result() for f in handed])
print("marker still pending, cancelled:", mark.cancel())
new_loop.call_soon_threadsafe(new_loop.stop)
loop_thread.join()
new_loop.close()
print("loop thread joined")
