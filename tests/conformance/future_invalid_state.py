# future_invalid_state: a future's outcome is set once. Setting a result or
# an exception on a finished (or cancelled) future is an InvalidStateError
# and changes nothing; so is asking a pending future for its result or
# exception. A cancelled future's result() and exception() raise
# CancelledError.
import asyncio


def attempt(what, fn):
    try:
        r = fn()
        print(f"{what}: {r}")
    except asyncio.InvalidStateError:
        print(f"{what}: InvalidStateError")
    except asyncio.CancelledError:
        print(f"{what}: CancelledError")


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    attempt("result() while pending", fut.result)
    attempt("exception() while pending", fut.exception)
    fut.set_result(1)
    attempt("set_result(2) when finished", lambda: fut.set_result(2))
    attempt("set_exception() when finished",
            lambda: fut.set_exception(ValueError("late")))
    attempt("result() still", fut.result)
    gone = loop.create_future()
    gone.cancel()
    attempt("set_result() when cancelled", lambda: gone.set_result(3))
    attempt("result() when cancelled", gone.result)
    attempt("exception() when cancelled", gone.exception)

asyncio.run(main())
