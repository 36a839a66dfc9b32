# run_stop_after_iteration: run_until_complete stops the loop in the very
# iteration its future finishes (loop.stop() lets only the current iteration
# end). A task that was mid-way through sleep(0) steps is therefore still
# pending when main is done, and asyncio.run's shutdown cancels it at that
# sleep(0): its next line never runs.
import asyncio


async def chatty():
    try:
        print("chatty: step 1")
        await asyncio.sleep(0)
        print("chatty: step 2 (never: the loop stopped first)")
        await asyncio.sleep(0)
    except asyncio.CancelledError:
        print("chatty: cancelled at its first sleep(0)")
        raise


async def main():
    asyncio.create_task(chatty())
    print("main ends")

asyncio.run(main())
print("asyncio.run returned")
