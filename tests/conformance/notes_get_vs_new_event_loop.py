# notes_get_vs_new_event_loop: the notes' rule of thumb - get_event_loop()
# for the main thread, new_event_loop() + set_event_loop() for any other.
# Each call of new_event_loop() makes a fresh loop; get_event_loop() gives
# the thread's current one, and a thread that has none set gets an error.
# A loop run_forever in its own thread takes work from the main thread,
# which meanwhile runs its own loop: one loop per thread. The two threads
# hand over through blocking waits, so the trace is one fixed order.
import asyncio
import threading
import warnings

# Python 3.12 warns when get_event_loop() has to make the main loop: the
# warning goes to stderr, and is silenced here so that the run stays quiet.
warnings.simplefilter("ignore", DeprecationWarning)

loops = {}


def name_of(loop):
    for name, known in loops.items():
        if known is loop:
            return name
    return "an unknown loop"


async def where(job):
    running = asyncio.get_running_loop()
    same = asyncio.get_event_loop() is running
    print(f"{job}: runs on the {name_of(running)}; get_event_loop() is it: {same}")
    await asyncio.sleep(0)
    return job


def thread_main(loop, ready):
    try:
        asyncio.get_event_loop()
        print("thread: get_event_loop() made a loop")
    except RuntimeError:
        print("thread: get_event_loop() before set_event_loop: RuntimeError")
    asyncio.set_event_loop(loop)
    print("thread: now get_event_loop() is the thread loop:",
          asyncio.get_event_loop() is loop)
    ready.set()
    loop.run_forever()
    print("thread: run_forever returned")


loops["thread loop"] = asyncio.new_event_loop()
other = asyncio.new_event_loop()
print("new_event_loop() twice gives two loops:", other is not loops["thread loop"])
other.close()
ready = threading.Event()
thread = threading.Thread(target=thread_main, args=(loops["thread loop"], ready))
thread.start()
ready.wait()
loops["main loop"] = asyncio.get_event_loop()
print("main: get_event_loop() twice gives one loop:",
      asyncio.get_event_loop() is loops["main loop"])
print("main: and it is not the thread loop:",
      loops["main loop"] is not loops["thread loop"])
f = asyncio.run_coroutine_threadsafe(where("job from main"), loops["thread loop"])
print("main: result", f.result())
print("main: result", loops["main loop"].run_until_complete(where("main's own job")))
loops["thread loop"].call_soon_threadsafe(loops["thread loop"].stop)
thread.join()
loops["thread loop"].close()
loops["main loop"].close()
print("both loops closed")
