# shutdown_asyncgens_cleanup: a task takes two items from an async
# generator and ends, leaving it suspended at its yield (a list keeps it
# alive, so the garbage collector does not close it first). asyncio.run
# closes it at shutdown (shutdown_asyncgens): GeneratorExit at the yield,
# and its cleanup runs, awaiting, before asyncio.run returns.
import asyncio

kept = []


async def ticker():
    i = 0
    try:
        while True:
            i += 1
            yield i
    except GeneratorExit:
        print("ticker: closed at its yield")
        raise
    finally:
        print("ticker: cleanup starts")
        await asyncio.sleep(0)
        print("ticker: cleanup ends")


async def consumer():
    gen = ticker()
    kept.append(gen)
    print("consumer got", await anext(gen))
    print("consumer got", await anext(gen))
    print("consumer ends; the generator stays suspended")


async def main():
    await asyncio.create_task(consumer())
    print("main ends")

asyncio.run(main())
print("after asyncio.run")
