# sleep_wakeup_hop: sleep(d) is a future plus a timer, so a task whose
# sleep ends is not resumed by the timer itself: the timer finishes the
# future, and the future schedules the task's next step with call_soon.
# Callbacks that the iteration's earlier callbacks scheduled therefore run
# first. A blocking callback makes both timers due in the same iteration
# (timer a first, by deadline), whatever the machine's speed.
import asyncio
import time


def timer_a(loop):
    print("timer a (schedules soon after a)")
    loop.call_soon(print, "soon after a")


async def sleeper():
    await asyncio.sleep(0.06)
    print("sleeper wakes")


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(0.05, timer_a, loop)
    t = asyncio.create_task(sleeper())
    loop.call_soon(time.sleep, 0.2)  # after sleeper's first step: both due
    await t
    print("main: done")

asyncio.run(main())
