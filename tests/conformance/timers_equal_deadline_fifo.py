# timers_equal_deadline_fifo: timers with the SAME deadline fire in the order
# they were set. This is coflow's promise (libuv makes it too); asyncio makes
# none: its heap compares deadlines only, and equal ones can come out in any
# order. So that CPython still prints a trace that holds, this twin nudges
# each deadline one nanosecond later than the previous: the order it prints
# is the FIFO order the C scenario checks with truly equal deadlines.
import asyncio

NUDGE = 1e-9


async def main():
    loop = asyncio.get_running_loop()
    when = loop.time() + 0.02
    for i, name in enumerate(["first", "second", "third", "fourth", "fifth"]):
        loop.call_at(when + i * NUDGE, print, name)
    await asyncio.sleep(0.04)
    print("main wakes")

asyncio.run(main())
