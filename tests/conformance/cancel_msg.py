# cancel_msg: Task.cancel(msg) and Future.cancel(msg) (3.9+): the message
# travels with the cancellation, to the coroutine and to its awaiter.
import asyncio


async def sleeper():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        print("sleeper: caught", e.args)
        raise


async def yielder():
    try:
        await asyncio.sleep(0)
    except asyncio.CancelledError as e:
        print("yielder: caught", e.args)
        raise


async def main():
    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    print("cancel('bye') ->", t.cancel("bye"))
    print("cancel('again') ->", t.cancel("again"))
    try:
        await t
    except asyncio.CancelledError as e:
        print("awaiter: cancelled with", e.args)

    t = asyncio.create_task(yielder())
    await asyncio.sleep(0)
    t.cancel("first")
    t.cancel("last")
    try:
        await t
    except asyncio.CancelledError as e:
        print("awaiter: cancelled with", e.args)

    t = asyncio.create_task(sleeper())
    t.cancel("before it started")
    try:
        await t
    except asyncio.CancelledError as e:
        print("never started: cancelled with", e.args)

    f = asyncio.get_running_loop().create_future()
    print("future cancel('stop') ->", f.cancel("stop"))
    print("future cancel('late') ->", f.cancel("late"))
    try:
        await f
    except asyncio.CancelledError as e:
        print("future awaiter:", e.args)

    t = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError as e:
        print("no message:", e.args)

asyncio.run(main())
