# notes_coroutine_object: calling an async function only makes a coroutine
# object; its body runs once the object is handed to the loop. Awaiting a
# sleep suspends it, and the sleep's value is None.
import asyncio


async def greet():
    print("greet: body runs")
    r = await asyncio.sleep(0.01)
    print("greet: slept, sleep returned", r)

coro = greet()
print("coroutine object made; body not run yet")
asyncio.run(coro)
print("asyncio.run returned")
