# gather_same_child: the same awaitable given to gather twice is one child,
# run once, whose result fills both places; an argument already done counts
# at once. An empty asyncio.wait() is a ValueError, not an empty result.
import asyncio


async def job(name, value):
    print(f"{name} runs")
    await asyncio.sleep(0)
    return value


async def main():
    t = asyncio.create_task(job("t", 1))
    done = asyncio.get_running_loop().create_future()
    done.set_result(9)
    print("results", await asyncio.gather(t, done, t))
    try:
        await asyncio.wait([])
    except ValueError:
        print("wait() of nothing: ValueError")

asyncio.run(main())
