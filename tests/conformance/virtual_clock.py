"""virtual_clock.py SCENARIO.py - runs a CPython scenario on virtual time.

CPython's asyncio has no virtual clock of its own; this gives every loop
the scenario makes one, the way coflow's COFLOW_CLOCK=virtual does for the
C twin (see co_loop_set_virtual_time), so that a trace whose order hangs on
two timers a few milliseconds apart comes out the same on a busy machine as
on an idle one. Only the clock and the selector's wait change: the loop
itself (BaseEventLoop._run_once: ready callbacks, timers by deadline, the
FIFO order) is CPython's own, so the oracle stays CPython's asyncio.

- loop.time() reads a number of the loop's own that stands still while
  callbacks run;
- when the loop would wait for its earliest timer and nothing but a timer
  could end the wait (no file descriptor watched besides the loop's own
  self-pipe, no other thread alive that might call in or finish a job),
  the selector only polls, and if nothing is ready the clock jumps by the
  timeout, straight to that timer's deadline;
- otherwise it waits for real and the clock moves on by the time waited,
  landing on the deadline when the wait timed out.
"""
import asyncio
import runpy
import selectors
import sys
import threading
import time


class VirtualTimeSelector(selectors.DefaultSelector):
    """The platform's default selector, whose waits move a virtual clock."""

    def __init__(self, clock):
        super().__init__()
        self._clock = clock

    def _only_a_timer_can_wake(self):
        # The self-pipe is always registered; signals arrive through it
        # too, and a poll sees them before any jump.
        return len(self.get_map()) <= 1 and threading.active_count() == 1

    def select(self, timeout=None):
        clock = self._clock
        if timeout is not None and timeout > 0 and self._only_a_timer_can_wake():
            events = super().select(0)
            if not events:
                clock.now += timeout
            return events
        began = time.monotonic()
        events = super().select(timeout)
        waited = time.monotonic() - began
        if timeout is not None and (not events or waited > timeout):
            waited = timeout
        clock.now += max(waited, 0)
        return events


class _Clock:
    def __init__(self):
        self.now = time.monotonic()


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop on a virtual clock."""

    def __init__(self):
        self._virtual = _Clock()
        super().__init__(VirtualTimeSelector(self._virtual))

    def time(self):
        return self._virtual.now


class VirtualTimePolicy(asyncio.DefaultEventLoopPolicy):
    """Makes every new loop (asyncio.run's, new_event_loop()'s) virtual."""

    _loop_factory = VirtualTimeLoop


def main():
    if len(sys.argv) < 2:
        print("usage: virtual_clock.py SCENARIO.py", file=sys.stderr)
        return 2
    asyncio.set_event_loop_policy(VirtualTimePolicy())
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
