# taskgroup_nested: a group inside a group. The inner group's failure is an
# ExceptionGroup that fails the outer group's body; the outer group then
# cancels its own tasks and fails with a group that holds the inner one.
import asyncio


class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(code, msg)
        self.code, self.msg = code, msg


def describe(e):
    if isinstance(e, BaseExceptionGroup):
        return "group[" + ", ".join(describe(x) for x in e.exceptions) + "]"
    return f"{e.code}:{e.msg}"


async def crash(code):
    await asyncio.sleep(0.01)
    raise AppError(code, "deep failure")


async def slow(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print(name, ": cancelled")
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as outer:
            outer.create_task(slow("outer child"))
            async with asyncio.TaskGroup() as inner:
                inner.create_task(slow("inner child"))
                inner.create_task(crash(5))
            print("not reached")
    except ExceptionGroup as eg:
        print("outer failed:", eg)
        print("structure:", describe(eg))
    print("cancelling() =", asyncio.current_task().cancelling())

    async with asyncio.TaskGroup() as outer:
        async with asyncio.TaskGroup() as inner:
            inner.create_task(asyncio.sleep(0.01))
        outer.create_task(asyncio.sleep(0.01))
    print("both groups ended normally")

asyncio.run(main())
