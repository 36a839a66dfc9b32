# sleep_result: asyncio.sleep(delay, result) finishes with its result, so
# sleeps can stand as items of gather; the results come in argument order.
import asyncio


async def main():
    r = await asyncio.sleep(0.01, result="slept")
    print("sleep returned", r)
    rs = await asyncio.gather(asyncio.sleep(0.03, result=1),
                              asyncio.sleep(0.01, result=2),
                              asyncio.sleep(0, result=3))
    print("gather", rs)

asyncio.run(main())
