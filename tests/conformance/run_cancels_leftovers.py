# run_cancels_leftovers: when main returns, asyncio.run cancels the tasks
# still pending and runs the loop until they have finished: their cleanup
# runs, even cleanup that itself awaits, before asyncio.run returns.
# (One leftover only: asyncio cancels leftovers in an unspecified order.)
import asyncio


async def worker():
    try:
        print("worker: started, sleeping long")
        await asyncio.sleep(10)
    finally:
        print("worker: cleanup starts")
        await asyncio.sleep(0.01)
        print("worker: cleanup ends")


async def main():
    asyncio.create_task(worker())
    await asyncio.sleep(0)
    print("main returns 7")
    return 7

print("asyncio.run returned", asyncio.run(main()))
