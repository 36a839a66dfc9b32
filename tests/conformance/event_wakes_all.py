# event_wakes_all: Event.set() wakes every waiter, in the order they began
# waiting; a wait on an event already set returns at once.
import asyncio


async def waiter(name, ev):
    print(f"{name} waits")
    await ev.wait()
    print(f"{name} woken")


async def main():
    ev = asyncio.Event()
    tasks = [asyncio.create_task(waiter(n, ev)) for n in ("a", "b", "c")]
    await asyncio.sleep(0)
    print("main sets the event")
    ev.set()
    for t in tasks:
        await t
    await ev.wait()
    print("a wait on a set event returns at once")

asyncio.run(main())
