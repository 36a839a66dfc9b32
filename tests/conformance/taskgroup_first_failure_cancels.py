# taskgroup_first_failure_cancels: the first task of a TaskGroup that
# fails cancels the other tasks and the group's body; the group waits for
# them all, then fails with the failure; the task it ran in carries on.
import asyncio


class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(code, msg)
        self.code, self.msg = code, msg


async def crash():
    await asyncio.sleep(0.01)
    print("crash: failing")
    raise AppError(1, "crash failed")


async def slow(name):
    try:
        await asyncio.sleep(10)
        print(name, ": finished")
    except asyncio.CancelledError:
        print(name, ": cancelled, cleaning up")
        await asyncio.sleep(0.01)
        print(name, ": cleaned up")
        raise


async def main():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(crash())
            tg.create_task(slow("slow"))
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                print("body: cancelled, cancelling() =", me.cancelling())
                raise
    except ExceptionGroup as eg:
        print("group failed:", eg)
        for e in eg.exceptions:
            print("  error", e.code, e.msg)
    print("main: carries on, cancelling() =", me.cancelling())
    await asyncio.sleep(0)
    print("main: done")

asyncio.run(main())
