# notes_tasks_before_main_ends: tasks created in main start only when main
# gives the loop back (here at its first await), then run concurrently:
# both print 1 before either prints 2.
import asyncio


async def func(name):
    print(name, 1)
    await asyncio.sleep(0.02)
    print(name, 2)
    return f"result of {name}"


async def main():
    print("main start")
    t1 = asyncio.create_task(func("n1"))
    t2 = asyncio.create_task(func("n2"))
    print("main end of creating")
    r1 = await t1
    r2 = await t2
    print(r1, "/", r2)

asyncio.run(main())
