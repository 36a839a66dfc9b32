# task_names: tasks are named "Task-N" in creation order unless given a
# name; asyncio.run's main task is the first; current_task() is the one
# running now.
import asyncio


async def show():
    print("running:", asyncio.current_task().get_name())


async def main():
    print("main is", asyncio.current_task().get_name())
    a = asyncio.create_task(show())
    c = asyncio.create_task(show())
    # Named last: whether a named task uses up a number differs between
    # Python versions (3.11 yes, 3.12 no), and that is not the point here.
    b = asyncio.create_task(show(), name="downloader")
    print("created", a.get_name(), c.get_name(), b.get_name())
    await asyncio.sleep(0)
    c.set_name("renamed")
    print("now", c.get_name())

asyncio.run(main())
