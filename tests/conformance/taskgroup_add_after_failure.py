# taskgroup_add_after_failure: once a task has failed the group is
# shutting down and refuses new tasks (3.11); a group not yet entered, or
# one that has ended, refuses them too.
import asyncio


class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(code, msg)
        self.code, self.msg = code, msg


def why(e):
    s = str(e)
    for key in ("shutting down", "is finished", "has not been entered"):
        if key in s:
            return key
    return s


async def crash():
    await asyncio.sleep(0)
    raise AppError(1, "crash failed")


async def late():
    print("late: ran")


async def main():
    tg = asyncio.TaskGroup()
    c = late()
    try:
        tg.create_task(c)
    except RuntimeError as e:
        print("before entering:", why(e))
        c.close()
    try:
        async with tg:
            tg.create_task(crash())
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                c = late()
                try:
                    tg.create_task(c)
                except RuntimeError as e:
                    print("after the failure:", why(e))
                    c.close()
                raise
    except ExceptionGroup as eg:
        print("group failed with", len(eg.exceptions), "error(s)")
    c = late()
    try:
        tg.create_task(c)
    except RuntimeError as e:
        print("after it ended:", why(e))
        c.close()

asyncio.run(main())
