# timer_cancel: a timer handle cancelled before its deadline never fires.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    loop.call_later(0.02, print, "h1 fires")
    h2 = loop.call_later(0.03, print, "h2 never fires")
    loop.call_later(0.04, print, "h3 fires")
    h2.cancel()
    print("h2 cancelled:", h2.cancelled())
    await asyncio.sleep(0.06)
    print("main wakes")

asyncio.run(main())
