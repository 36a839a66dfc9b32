# notes_nested_await: awaiting a coroutine runs it inside the caller (no new
# task), and the caller gets its return value; two awaits in a row run one
# after the other, not at the same time.
import asyncio


async def others(n):
    print(f"others {n}: start")
    await asyncio.sleep(0.01)
    print(f"others {n}: end")
    return f"value {n}"


async def main():
    print("main: before the first await")
    r1 = await others(1)
    print("main: got", r1)
    r2 = await others(2)
    print("main: got", r2)

asyncio.run(main())
