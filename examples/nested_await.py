# nested_await.py - the notes' nested coroutines: main awaits outer, which
# awaits inner twice in a row; each await runs the child to its end and
# hands back its return value, one after the other.
import asyncio


async def inner(x):
    print("inner", x, "sleeps")
    await asyncio.sleep(0.01)
    return x * 10


async def outer(x):
    a = await inner(x)
    b = await inner(x + 1)
    print("outer got", a, "and", b)
    return a + b


async def main():
    total = await outer(1)
    print("main got", total)

asyncio.run(main())
