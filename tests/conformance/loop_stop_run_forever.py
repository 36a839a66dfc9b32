# loop_stop_run_forever: stop() called before run_forever makes it run one
# iteration; called from a callback, it ends the run after the current
# iteration, so what that iteration scheduled waits for the next run.
import asyncio


def a(loop):
    print("a: schedules b, then stops the loop")
    loop.call_soon(print, "b")
    loop.stop()


loop = asyncio.new_event_loop()
loop.call_soon(print, "x")
loop.stop()
loop.run_forever()
print("first run_forever returned")
loop.call_soon(a, loop)
loop.call_soon(print, "c")
loop.run_forever()
print("second run_forever returned")
loop.call_soon(loop.stop)
loop.run_forever()
print("third run_forever returned")
loop.close()
