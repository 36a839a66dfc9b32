# timers_by_deadline: call_later callbacks fire in deadline order, whatever
# order they were set in; a call_soon callback runs before any of them.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(0.06, print, "timer 60 ms")
    loop.call_later(0.02, print, "timer 20 ms")
    loop.call_later(0.04, print, "timer 40 ms")
    loop.call_soon(print, "call_soon")
    await asyncio.sleep(0.08)
    print("main wakes at 80 ms")

asyncio.run(main())
