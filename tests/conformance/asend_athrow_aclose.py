# asend_athrow_aclose: driving an async generator by hand. asend(v) resumes
# it at its yield with v and returns the next item; athrow raises at the
# yield (this generator catches it and yields -1); aclose raises
# GeneratorExit there and its cleanup runs, awaiting. Then the misuses:
# asend on a finished generator (StopAsyncIteration), athrow on one
# (None, in 3.11), and a value sent to one that never started (TypeError).
import asyncio


async def echo():
    n = 1
    try:
        while True:
            try:
                x = yield n
            except ValueError as e:
                print("echo: caught", e)
                n = -1
                continue
            print("echo: got", x)
            n = 2 * x
    finally:
        print("echo: cleanup starts")
        await asyncio.sleep(0)
        print("echo: cleanup ends")


async def main():
    gen = echo()
    print("anext ->", await anext(gen))
    print("asend(5) ->", await gen.asend(5))
    print("athrow(ValueError) ->", await gen.athrow(ValueError("bad value")))
    print("asend(2) ->", await gen.asend(2))
    await gen.aclose()
    print("closed")
    try:
        await gen.asend(1)
    except StopAsyncIteration:
        print("asend after the end: StopAsyncIteration")
    print("athrow after the end ->", await gen.athrow(ValueError("late")))
    try:
        await echo().asend(3)
    except TypeError:
        print("asend(3) to a fresh generator: TypeError")

asyncio.run(main())
