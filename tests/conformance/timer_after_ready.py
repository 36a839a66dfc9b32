# timer_after_ready: within one iteration the due timers join the ready
# queue BEHIND the callbacks already waiting there; callbacks those
# callbacks schedule come after the timer, in the next iteration.
import asyncio


def first(loop):
    print("soon 1 (schedules soon 3)")
    loop.call_soon(print, "soon 3")


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(0, print, "timer with delay 0")
    loop.call_soon(first, loop)
    loop.call_soon(print, "soon 2")
    await asyncio.sleep(0.3)
    print("main wakes")

asyncio.run(main())
