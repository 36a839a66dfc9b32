# notes_call_soon_threadsafe_serial: a loop running in another thread runs
# plain functions handed to it with call_soon_threadsafe one after the
# other: a blocking one holds up the next, so the longer first job still
# finishes first (the notes' 6 s + 3 s = 9 s, here 30 + 10 ms).
import asyncio
import queue
import threading
import time


def do_sleep(x, q, msg):
    time.sleep(x)
    q.put(msg)


loop = asyncio.new_event_loop()
thread = threading.Thread(target=loop.run_forever)
thread.start()
q = queue.Queue()
loop.call_soon_threadsafe(do_sleep, 0.03, q, "first (30 ms)")
loop.call_soon_threadsafe(do_sleep, 0.01, q, "second (10 ms)")
for _ in range(2):
    print(q.get(), "done")
loop.call_soon_threadsafe(loop.stop)
thread.join()
loop.close()
print("loop thread joined")
