# async_generator_early_exit: an async generator consumed with async for.
# Run to its end, its cleanup (finally) runs after the last item; left
# early with break, it is closed: GeneratorExit is raised at the yield
# where it stopped, and its cleanup runs - and may await - before the code
# after the loop. CPython closes an abandoned generator only when it is
# garbage-collected, at a moment nobody controls; contextlib.aclosing makes
# the close happen at the end of the loop, which is what coflow's
# CO_ASYNC_FOR_END always does.
import asyncio
import contextlib


async def ticker(name, n):
    try:
        for i in range(1, n + 1):
            await asyncio.sleep(0)
            print(f"{name} yields {i}")
            yield i
        print(f"{name} exhausted")
    except GeneratorExit:
        print(f"{name} closed early at the yield")
        raise
    finally:
        print(f"{name} cleanup starts")
        await asyncio.sleep(0)
        print(f"{name} cleanup ends")


async def main():
    async with contextlib.aclosing(ticker("g1", 2)) as gen:
        async for i in gen:
            print("main got", i)
    print("main: after the first loop")
    async with contextlib.aclosing(ticker("g2", 5)) as gen:
        async for i in gen:
            print("main got", i)
            if i == 2:
                print("main breaks")
                break
    print("main: after the second loop")

asyncio.run(main())
