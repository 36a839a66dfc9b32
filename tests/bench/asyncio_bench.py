#!/usr/bin/env python3
"""CPython asyncio versions of the coflow benchmarks, same workloads and
same output lines ("<workload>: impl=asyncio n=... seconds=...").

Usage: asyncio_bench.py WORKLOAD [N [K]]
  sleep0       N tasks (100000) x K `await asyncio.sleep(0)` (10)
  call_soon    a chain of N call_soon callbacks (1000000)
  timers       N call_later timers, deadlines (i % 100) ms (100000)
  queue        N queue ping-pongs between two tasks (200000)
  task_memory  bytes per task suspended on a shared future (100000)
  gather_sleep0  N tasks (100000) x K sleep(0) (10), one gather, asyncio.run
  task_timers  N tasks sleeping (i % 100) ms once, gathered (100000)
  sleep_many   N tasks sleeping 1 s, gathered: peak RSS (1000000)
  ring         N messages (100000) round rings of P socketpairs (P = 10,
               100, 1000, or those given after N): tasks awaiting
               readability, then plain reader callbacks
  echo         C connections (100) x R round trips (1000) of S bytes (100)
               over loopback TCP: asyncio streams, server on the same loop
  all          every workload above with its default size

--uvloop before the workload runs the ring or echo on uvloop's loop instead
(Debian's python3-uvloop, on Debian's /usr/bin/python3); its lines say
impl=uvloop.

Each figure is measured inside the process: interpreter start-up is not
counted, creating the tasks or callbacks is.
"""
import asyncio
import gc
import os
import sys
import time
import tracemalloc

# The loop the ring runs on, and what its lines call it (--uvloop).
IMPL = "asyncio"
new_loop = asyncio.new_event_loop


def bench_sleep0(n=100000, k=10):
    async def yielder(shared):
        for _ in range(k):
            await asyncio.sleep(0)
        shared[0] -= 1
        if shared[0] == 0:
            shared[1].set_result(None)

    loop = asyncio.new_event_loop()
    shared = [n, loop.create_future()]
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        loop.create_task(yielder(shared))
    created = time.perf_counter()
    loop.run_until_complete(shared[1])
    t1, c1 = time.perf_counter(), time.process_time()
    loop.close()
    ops = n * k
    print(f"sleep0: impl=asyncio n={ops} tasks={n} yields={k} "
          f"seconds={t1 - t0:.6f} cpu_seconds={c1 - c0:.6f} "
          f"create_seconds={created - t0:.6f} "
          f"ns_per_op={(t1 - t0) * 1e9 / ops:.2f}")


def bench_call_soon(n=1000000):
    loop = asyncio.new_event_loop()
    left = [n]

    def link():
        left[0] -= 1
        if left[0] == 0:
            loop.stop()
        else:
            loop.call_soon(link)

    t0, c0 = time.perf_counter(), time.process_time()
    loop.call_soon(link)
    loop.run_forever()
    t1, c1 = time.perf_counter(), time.process_time()
    loop.close()
    assert left[0] == 0
    print(f"call_soon: impl=asyncio n={n} seconds={t1 - t0:.6f} "
          f"cpu_seconds={c1 - c0:.6f} ns_per_op={(t1 - t0) * 1e9 / n:.2f}")


def bench_timers(n=100000):
    loop = asyncio.new_event_loop()
    left = [n]

    def fire():
        left[0] -= 1
        if left[0] == 0:
            loop.stop()

    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(n):
        loop.call_later((i % 100) / 1000.0, fire)
    armed = time.process_time()
    loop.run_forever()
    t1, c1 = time.perf_counter(), time.process_time()
    loop.close()
    assert left[0] == 0
    print(f"timers: impl=asyncio n={n} seconds={t1 - t0:.6f} "
          f"cpu_seconds={c1 - c0:.6f} arm_cpu_seconds={armed - c0:.6f} "
          f"ns_per_op={(t1 - t0) * 1e9 / n:.2f} "
          f"cpu_ns_per_op={(c1 - c0) * 1e9 / n:.2f}")


def bench_queue(n=200000):
    """Two tasks and two unbounded queues: the pinger puts i on one queue
    and waits for it to come back on the other; the ponger sends each item
    back. One ping-pong = two puts and two gets, and each get suspends."""
    async def pinger(ping, pong):
        for i in range(n):
            await ping.put(i)
            await pong.get()

    async def ponger(ping, pong):
        for _ in range(n):
            await pong.put(await ping.get())

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    t0, c0 = time.perf_counter(), time.process_time()
    ping, pong = asyncio.Queue(), asyncio.Queue()
    loop.create_task(ponger(ping, pong))
    loop.run_until_complete(loop.create_task(pinger(ping, pong)))
    t1, c1 = time.perf_counter(), time.process_time()
    loop.close()
    print(f"queue: impl=asyncio n={n} seconds={t1 - t0:.6f} "
          f"cpu_seconds={c1 - c0:.6f} ns_per_op={(t1 - t0) * 1e9 / n:.2f}")


def bench_task_memory(n=100000):
    """tracemalloc counts every allocation Python makes. The coroutine
    objects alone (the analogue of coflow's user frame) are measured first
    and subtracted, so bytes_per_task is what the Task adds."""
    async def sleeper(wake):
        await wake

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    wake = loop.create_future()
    gc.collect()
    tracemalloc.start()

    base = tracemalloc.get_traced_memory()[0]
    coros = [sleeper(wake) for _ in range(n)]
    coro_bytes = (tracemalloc.get_traced_memory()[0] - base) / n
    for c in coros:
        c.close()
    del coros
    gc.collect()

    async def start_all():
        for _ in range(n):
            tasks.append(loop.create_task(sleeper(wake)))
        await asyncio.sleep(0)   # every task runs to its await

    tasks = []
    base = tracemalloc.get_traced_memory()[0]
    loop.run_until_complete(start_all())
    total = (tracemalloc.get_traced_memory()[0] - base) / n
    tracemalloc.stop()
    # The list that holds the tasks is ours, not the task's: 8 bytes a slot.
    total -= 8
    pending = sum(1 for t in tasks if not t.done())
    assert pending == n, pending
    print(f"task_memory: impl=asyncio n={n} frame_bytes={coro_bytes:.1f} "
          f"heap_bytes_per_task={total:.1f} "
          f"bytes_per_task={total - coro_bytes:.1f}")
    wake.set_result(None)
    loop.run_until_complete(asyncio.gather(*tasks))
    loop.close()



def _gathered(n, make, name, extra):
    """asyncio.run of a main that creates n tasks from make(i) and awaits
    them with one gather; prints the figures of the whole run."""
    async def main():
        tasks = [asyncio.create_task(make(i)) for i in range(n)]
        await asyncio.gather(*tasks)

    t0, c0 = time.perf_counter(), time.process_time()
    asyncio.run(main())
    t1, c1 = time.perf_counter(), time.process_time()
    print(f"{name}: impl=asyncio {extra(t1 - t0)} seconds={t1 - t0:.6f} "
          f"cpu_seconds={c1 - c0:.6f}")


def bench_gather_sleep0(n=100000, k=10):
    async def yielder(i):
        for _ in range(k):
            await asyncio.sleep(0)

    _gathered(n, yielder, "gather_sleep0",
              lambda s: f"n={n * k} tasks={n} yields={k} "
                        f"ns_per_op={s * 1e9 / (n * k):.2f}")


def bench_task_timers(n=100000):
    async def sleeper(i):
        await asyncio.sleep((i % 100) * 1e-3)

    _gathered(n, sleeper, "task_timers", lambda s: f"n={n}")


def bench_sleep_many(n=1000000):
    import resource

    async def sleeper(i):
        await asyncio.sleep(1.0)

    def rss(_):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        return f"n={n} peak_rss_mb={peak:.1f}"

    _gathered(n, sleeper, "sleep_many", rss)


def bench_ring(messages=100000, *ps):
    """P socketpairs in a ring (as bench_ring.c): station i waits until its
    end of pair i is readable, reads the byte and writes it into pair
    i + 1. Tasks: each station a task that awaits a future completed by a
    reader callback (which removes itself, as coflow's CO_AWAIT_READABLE
    does). Callbacks: one reader per station, registered once."""
    import resource
    import socket

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 8192:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (min(8192, hard), hard))
    for p in ps or (10, 100, 1000):
        m = max(messages // p * p, p)
        pairs = [socket.socketpair() for _ in range(p)]
        ins = [a.fileno() for a, _ in pairs]
        outs = [b.fileno() for _, b in pairs]
        loop = new_loop()

        def wake(fut, fd):
            loop.remove_reader(fd)
            fut.set_result(None)

        async def station(i, rounds, done):
            fd, nxt = ins[i], outs[(i + 1) % p]
            for _ in range(rounds):
                fut = loop.create_future()
                loop.add_reader(fd, wake, fut, fd)
                await fut
                os.write(nxt, os.read(fd, 1))
            done[0] += 1
            if done[0] == p:
                done[1].set_result(None)

        t0, c0 = time.perf_counter(), time.process_time()
        done = [0, loop.create_future()]
        for i in range(p):
            loop.create_task(station(i, m // p, done))
        os.write(outs[0], b"x")
        loop.run_until_complete(done[1])
        t1, c1 = time.perf_counter(), time.process_time()
        print(f"ring_tasks_{p}: impl={IMPL} pairs={p} n={m} "
              f"seconds={t1 - t0:.6f} cpu_seconds={c1 - c0:.6f} "
              f"ns_per_op={(t1 - t0) * 1e9 / m:.1f}", flush=True)

        for fd in ins:  # the byte the last station left behind
            os.set_blocking(fd, False)
            try:
                os.read(fd, 16)
            except BlockingIOError:
                pass
            os.set_blocking(fd, True)
        passed = [0]

        def on_readable(i):
            os.write(outs[(i + 1) % p], os.read(ins[i], 1))
            passed[0] += 1
            if passed[0] == m:
                loop.stop()

        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(p):
            loop.add_reader(ins[i], on_readable, i)
        os.write(outs[0], b"x")
        loop.run_forever()
        t1, c1 = time.perf_counter(), time.process_time()
        print(f"ring_callbacks_{p}: impl={IMPL} pairs={p} n={m} "
              f"seconds={t1 - t0:.6f} cpu_seconds={c1 - c0:.6f} "
              f"ns_per_op={(t1 - t0) * 1e9 / m:.1f}", flush=True)
        for fd in ins:
            loop.remove_reader(fd)
        loop.close()
        for a, b in pairs:
            a.close()
            b.close()


def bench_echo(conns=100, rounds=1000, size=100):
    """Echo over loopback TCP with asyncio's streams (as bench_echo.c):
    CONNS clients each write SIZE bytes, drain, and readexactly them back,
    ROUNDS times, against start_server on the same loop."""

    async def handle(reader, writer):
        try:
            while True:
                data = await reader.readexactly(size)
                writer.write(data)
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass
        writer.close()

    async def client(port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        msg = b"x" * size
        for _ in range(rounds):
            writer.write(msg)
            await writer.drain()
            await reader.readexactly(size)
        writer.close()
        await writer.wait_closed()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        t0, c0 = time.perf_counter(), time.process_time()
        await asyncio.gather(*(client(port) for _ in range(conns)))
        t1, c1 = time.perf_counter(), time.process_time()
        server.close()
        await server.wait_closed()
        n = conns * rounds
        print(f"echo: impl={IMPL} conns={conns} n={n} size={size} "
              f"seconds={t1 - t0:.6f} cpu_seconds={c1 - c0:.6f} "
              f"round_trips_per_s={n / (t1 - t0):.0f} "
              f"ns_per_op={(t1 - t0) * 1e9 / n:.1f}", flush=True)

    loop = new_loop()
    try:
        loop.run_until_complete(main())
    finally:
        loop.close()


WORKLOADS = {
    "sleep0": bench_sleep0,
    "call_soon": bench_call_soon,
    "timers": bench_timers,
    "queue": bench_queue,
    "task_memory": bench_task_memory,
    "gather_sleep0": bench_gather_sleep0,
    "task_timers": bench_task_timers,
    "sleep_many": bench_sleep_many,
    "ring": bench_ring,
    "echo": bench_echo,
}


def main(argv):
    global IMPL, new_loop
    if len(argv) > 1 and argv[1] == "--uvloop":
        import uvloop
        IMPL, new_loop = "uvloop", uvloop.new_event_loop
        argv = argv[:1] + argv[2:]
    if len(argv) < 2 or (argv[1] not in WORKLOADS and argv[1] != "all"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if argv[1] == "all":
        for fn in WORKLOADS.values():
            fn()
        return 0
    try:
        sizes = [int(a) for a in argv[2:]]
    except ValueError:
        print("sizes must be integers", file=sys.stderr)
        return 2
    if any(s <= 0 for s in sizes):
        print("sizes must be positive", file=sys.stderr)
        return 2
    WORKLOADS[argv[1]](*sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
