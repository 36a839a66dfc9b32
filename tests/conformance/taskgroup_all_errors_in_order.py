# taskgroup_all_errors_in_order: a TaskGroup keeps every failure, in the
# order they happened (tasks failing in their cleanup too), and its body's
# own failure last; cancelled tasks are not failures.
import asyncio


class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(code, msg)
        self.code, self.msg = code, msg


async def fail_now(code):
    await asyncio.sleep(0)
    raise AppError(code, f"failed at once ({code})")


async def fail_in_cleanup(code, delay):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        await asyncio.sleep(delay)
        raise AppError(code, f"failed in its cleanup ({code})")


async def quiet():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("quiet: cancelled")
        raise


def show(eg):
    print("group failed:", eg)
    for e in eg.exceptions:
        print("  error", e.code, e.msg)


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail_in_cleanup(3, 0.02))
            tg.create_task(fail_in_cleanup(2, 0.01))
            tg.create_task(quiet())
            tg.create_task(fail_now(1))
    except ExceptionGroup as eg:
        show(eg)

    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail_in_cleanup(4, 0.01))
            tg.create_task(quiet())
            await asyncio.sleep(0)
            raise AppError(9, "the body failed")
    except ExceptionGroup as eg:
        show(eg)

asyncio.run(main())
