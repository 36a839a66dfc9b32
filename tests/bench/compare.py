#!/usr/bin/env python3
"""Runs the coflow benchmarks, their CPython asyncio versions and the libuv
references in one go, prints the figures side by side with coflow's speed as
ratios, and checks the project's performance goals.

Usage (from the source tree, after `meson setup build-bench
--buildtype=release && ninja -C build-bench`):

    python3 tests/bench/compare.py --build build-bench

`meson benchmark -C build-bench --suite compare` runs the same thing with the
paths of the built programs passed explicitly. Each program runs --repeat
times (3 by default), the implementations taking turns, and the best run is
kept, for every implementation alike. Only the ratios within one run mean anything: the machine is shared
and the absolute figures move from run to run.

Exit status: 0; 1 with --strict if a goal is missed; 2 if a benchmark could
not run.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# The programs, by option name: (option, file under <build>/tests/bench).
PROGRAMS = [
    ("coflow_sleep0", "bench_sleep0"),
    ("coflow_call_soon", "bench_call_soon"),
    ("coflow_timers", "bench_timers"),
    ("coflow_queue", "bench_queue"),
    ("coflow_task_memory", "bench_task_memory"),
    ("coflow_gather", "bench_gather"),
    ("coflow_ring", "bench_ring"),
    ("coflow_echo", "bench_echo"),
    ("libuv_call_soon", "uv_call_soon"),
    ("libuv_timers", "uv_timers"),
]

# The goals, as in the project brief.
GOAL_SLEEP0_RATIO = 100.0   # asyncio time / coflow time, at least
GOAL_CALL_SOON_NS = 50.0    # ns per callback, below
GOAL_QUEUE_RATIO = 50.0     # asyncio time / coflow time, at least
GOAL_TASK_BYTES = 96.0      # bytes per pending task beyond the frame, at most
GOAL_GATHER_RATIO = 100.0   # gathered sleep(0), asyncio time / coflow time
GOAL_SLEEP_MANY_MB = 150.0  # peak RSS of 1M tasks sleeping 1 s, at most
GOAL_SLEEP_MANY_CPU = 1.0   # and their CPU seconds, below
GOAL_RING_FLAT = 1.5        # epoll ring: cost at P=1000 / cost at P=10, at most
RING_PS = (10, 100, 1000)   # ring sizes (socketpairs)
RING_BACKENDS = ("select", "poll", "epoll")

# Workloads that bench_gather runs, by its first argument.
GATHER = {"gather_sleep0": "sleep0", "task_timers": "timers",
          "sleep_many": "sleep_many"}

LINE = re.compile(r"^(\w+): (.*)$")


def parse(output):
    """{workload: {field: value}} from the benchmarks' output lines."""
    figures = {}
    for line in output.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        fields = {}
        for token in m.group(2).split():
            key, sep, value = token.partition("=")
            if not sep:
                continue
            try:
                fields[key] = float(value)
            except ValueError:
                fields[key] = value
        if "impl" in fields:
            figures[m.group(1)] = fields
    return figures


def run(cmd, repeat, key):
    """Runs @cmd @repeat times; for each workload keeps the run with the
    smallest @key (wall seconds, CPU seconds, bytes)."""
    best = {}
    for _ in range(repeat):
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=600)
        except (OSError, subprocess.TimeoutExpired) as e:
            sys.exit(f"compare.py: could not run {' '.join(cmd)}: {e}")
        if proc.returncode == 77:   # the program says it cannot measure here
            print(f"compare.py: {' '.join(cmd)} skipped: "
                  f"{proc.stderr.strip()}", file=sys.stderr)
            return best
        if proc.returncode != 0:
            sys.exit(f"compare.py: {' '.join(cmd)} failed "
                     f"(exit {proc.returncode}):\n{proc.stderr}")
        keep_best(best, parse(proc.stdout), key)
    return best


def keep_best(best, new, key):
    """Merges the figures @new into @best, keeping for each workload the
    run with the smallest @key."""
    for name, fields in new.items():
        old = best.get(name)
        if old is None or fields.get(key, 0) < old.get(key, 0):
            best[name] = fields


def fmt_s(x):
    return "—" if x is None else f"{x:.4f} s"


def fmt_ratio(num, den):
    if num is None or den is None or den <= 0:
        return "—"
    return f"{num / den:.1f}×"


def get(figs, workload, field):
    f = figs.get(workload)
    return None if f is None else f.get(field)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", help="meson build directory: find the "
                    "benchmark programs under BUILD/tests/bench")
    for opt, _ in PROGRAMS:
        ap.add_argument("--" + opt.replace("_", "-"), dest=opt,
                        metavar="PATH")
    ap.add_argument("--asyncio",
                    default=os.path.join(HERE, "asyncio_bench.py"),
                    help="the asyncio benchmark script")
    ap.add_argument("--python", default=sys.executable,
                    help="the interpreter that runs it (default: this one)")
    ap.add_argument("--no-asyncio", action="store_true",
                    help="skip the asyncio runs")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs per program, best kept (default 3)")
    ap.add_argument("--tasks", type=int, default=100000)
    ap.add_argument("--yields", type=int, default=10)
    ap.add_argument("--calls", type=int, default=1000000)
    ap.add_argument("--timers", type=int, default=100000)
    ap.add_argument("--pings", type=int, default=200000)
    ap.add_argument("--mem-tasks", type=int, default=100000)
    ap.add_argument("--sleepers", type=int, default=1000000,
                    help="tasks sleeping 1 s at once (sleep_many)")
    ap.add_argument("--ring-messages", type=int, default=50000,
                    help="messages per ring run on epoll, asyncio, uvloop")
    ap.add_argument("--ring-slow-messages", type=int, default=10000,
                    help="messages per ring run on select and poll, whose "
                    "P=1000 costs 100 µs a message")
    ap.add_argument("--uvloop-python", default="/usr/bin/python3",
                    help="an interpreter that can import uvloop (Debian's "
                    "python3-uvloop is for /usr/bin/python3); 'none' skips")
    ap.add_argument("--ring-only", action="store_true",
                    help="run only the socketpair ring")
    ap.add_argument("--no-ring", action="store_true",
                    help="leave the socketpair ring out")
    ap.add_argument("--echo-conns", type=int, default=100,
                    help="echo: connections (100)")
    ap.add_argument("--echo-rounds", type=int, default=1000,
                    help="echo: round trips per connection (1000)")
    ap.add_argument("--echo-only", action="store_true",
                    help="run only the echo over loopback TCP")
    ap.add_argument("--no-echo", action="store_true",
                    help="leave the echo out")
    ap.add_argument("--strict", action="store_true",
                    help="exit with status 1 when a goal is missed")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    for opt, exe in PROGRAMS:
        if getattr(args, opt) is None and args.build:
            path = os.path.join(args.build, "tests", "bench", exe)
            if os.access(path, os.X_OK):
                setattr(args, opt, path)
    missing = [o for o, _ in PROGRAMS
               if o.startswith("coflow") and getattr(args, o) is None]
    if missing:
        ap.error("no path for " + ", ".join(missing) +
                 " (give --build or the paths)")

    sizes = {
        "sleep0": [str(args.tasks), str(args.yields)],
        "call_soon": [str(args.calls)],
        "timers": [str(args.timers)],
        "queue": [str(args.pings)],
        "task_memory": [str(args.mem_tasks)],
        "gather_sleep0": [str(args.tasks), str(args.yields)],
        "task_timers": [str(args.timers)],
        "sleep_many": [str(args.sleepers)],
    }
    keys = {"sleep0": "seconds", "call_soon": "seconds",
            "timers": "cpu_seconds", "queue": "seconds",
            "task_memory": "bytes_per_task", "gather_sleep0": "seconds",
            "task_timers": "cpu_seconds", "sleep_many": "peak_rss_mb"}

    # The runs of the implementations take turns (coflow, asyncio, libuv,
    # coflow, ...): a coflow run lasts milliseconds and an asyncio run
    # seconds, so running one's repeats back to back would take coflow's
    # best from a single moment of a machine whose speed drifts, and
    # asyncio's from a stretch of it. Taking turns spreads both over the
    # same stretch of time.
    co, py, uv = {}, {}, {}
    if args.echo_only:
        return print_goals(echo_table(run_echo(args)), args)
    if args.ring_only:
        sizes = {}
    for w in sizes:
        print(f"running {w} ...", file=sys.stderr, flush=True)
        if w in GATHER:
            cmds = [(co, [args.coflow_gather, GATHER[w]] + sizes[w])]
        else:
            cmds = [(co, [getattr(args, "coflow_" + w)] + sizes[w])]
        if not args.no_asyncio:
            cmds.append((py, [args.python, args.asyncio, w] + sizes[w]))
        uv_exe = getattr(args, "libuv_" + w, None)
        if uv_exe:
            cmds.append((uv, [uv_exe] + sizes[w]))
        for _ in range(args.repeat):
            for figures, cmd in cmds:
                keep_best(figures, run(cmd, 1, keys[w]), keys[w])

    ring = {} if args.no_ring else run_ring(args)
    if args.ring_only:
        return print_ring(ring, args)

    rows = []   # (what, coflow, asyncio, libuv, asyncio/coflow, libuv/coflow)

    def add(what, c, p, u, fmt=fmt_s):
        rows.append((what, fmt(c), fmt(p), fmt(u), fmt_ratio(p, c),
                     fmt_ratio(u, c)))

    n_sleep = f"{args.tasks // 1000}k tasks × {args.yields} sleep(0)"
    add(n_sleep + ", wall", get(co, "sleep0", "seconds"),
        get(py, "sleep0", "seconds"), None)
    add(f"chain of {args.calls:,} call_soon, wall",
        get(co, "call_soon", "seconds"), get(py, "call_soon", "seconds"),
        get(uv, "call_soon", "seconds"))
    add("  (libuv: stop+start idle each time)",
        get(co, "call_soon", "seconds"), None,
        get(uv, "call_soon_restart", "seconds"))
    add(f"{args.timers // 1000}k timers 0–99 ms, wall",
        get(co, "timers", "seconds"), get(py, "timers", "seconds"),
        get(uv, "timers", "seconds"))
    add(f"{args.timers // 1000}k timers 0–99 ms, CPU",
        get(co, "timers", "cpu_seconds"), get(py, "timers", "cpu_seconds"),
        get(uv, "timers", "cpu_seconds"))
    add("  (coflow: caller-owned co_timer), CPU",
        get(co, "timers_embed", "cpu_seconds"), None,
        get(uv, "timers", "cpu_seconds"))

    n_queue = f"{args.pings // 1000}k queue ping-pongs"
    add(n_queue + ", wall", get(co, "queue", "seconds"),
        get(py, "queue", "seconds"), None)

    def fmt_b(x):
        return "—" if x is None else f"{x:.0f} B"
    add("bytes per pending task, beyond the frame",
        get(co, "task_memory", "bytes_per_task"),
        get(py, "task_memory", "bytes_per_task"), None, fmt_b)
    add("  (coflow: ready queue growth counted too)",
        get(co, "task_memory_cold", "bytes_per_task"), None, None, fmt_b)

    add(n_sleep + ", one gather, whole program",
        get(co, "gather_sleep0", "seconds"),
        get(py, "gather_sleep0", "seconds"), None)
    add(f"{args.timers // 1000}k tasks sleeping 0–99 ms, gathered, CPU",
        get(co, "task_timers", "cpu_seconds"),
        get(py, "task_timers", "cpu_seconds"),
        get(uv, "timers", "cpu_seconds"))

    def fmt_mb(x):
        return "—" if x is None else f"{x:.0f} MB"
    add(f"{args.sleepers // 1000}k tasks sleeping 1 s, peak RSS",
        get(co, "sleep_many", "peak_rss_mb"),
        get(py, "sleep_many", "peak_rss_mb"), None, fmt_mb)
    add("  same, CPU", get(co, "sleep_many", "cpu_seconds"),
        get(py, "sleep_many", "cpu_seconds"), None)

    head = ("workload", "coflow", "asyncio", "libuv", "asyncio/coflow",
            "libuv/coflow")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(6)]
    print()
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))
    print()
    ns = get(co, "call_soon", "ns_per_op")
    print(f"coflow: {get(co, 'sleep0', 'ns_per_op'):.1f} ns per sleep(0) "
          f"(task creation included; creating the tasks took "
          f"{get(co, 'sleep0', 'create_seconds'):.4f} s), "
          f"{ns:.1f} ns per call_soon callback")
    print(f"best of {args.repeat} run(s) per program; "
          f"python: {args.python}")
    print()

    # ---- the goals --------------------------------------------------------
    goals = []   # (met: True/False/None, text)
    c, p = get(co, "sleep0", "seconds"), get(py, "sleep0", "seconds")
    if p is None:
        goals.append((None, "sleep(0): asyncio not run"))
    else:
        r = p / c
        goals.append((r >= GOAL_SLEEP0_RATIO,
                      f"{n_sleep}: {r:.0f}× faster than asyncio "
                      f"(goal ≥ {GOAL_SLEEP0_RATIO:.0f}×)"))
    c, p = get(co, "queue", "seconds"), get(py, "queue", "seconds")
    if p is None:
        goals.append((None, "queue ping-pong: asyncio not run"))
    else:
        r = p / c
        goals.append((r >= GOAL_QUEUE_RATIO,
                      f"{n_queue}: {r:.0f}× faster than asyncio "
                      f"(goal ≥ {GOAL_QUEUE_RATIO:.0f}×)"))
    goals.append((ns < GOAL_CALL_SOON_NS,
                  f"call_soon chain: {ns:.1f} ns per callback "
                  f"(goal < {GOAL_CALL_SOON_NS:.0f} ns)"))
    cu = get(uv, "timers", "cpu_seconds")
    if cu is None:
        goals.append((None, "timers: libuv not built"))
    else:
        cc = get(co, "timers", "cpu_seconds")
        ce = get(co, "timers_embed", "cpu_seconds")
        goals.append((cc <= cu,
                      f"timers CPU: coflow {cc:.4f} s (caller-owned timers "
                      f"{ce:.4f} s) vs libuv {cu:.4f} s (goal ≤ libuv)"))
    c, p = (get(co, "gather_sleep0", "seconds"),
            get(py, "gather_sleep0", "seconds"))
    if p is None:
        goals.append((None, "gathered sleep(0): asyncio not run"))
    else:
        r = p / c
        goals.append((r >= GOAL_GATHER_RATIO,
                      f"{n_sleep}, one gather: {r:.0f}× faster than asyncio "
                      f"(goal ≥ {GOAL_GATHER_RATIO:.0f}×)"))
    if cu is not None:
        ct = get(co, "task_timers", "cpu_seconds")
        goals.append((ct <= cu,
                      f"tasks sleeping 0–99 ms, gathered: CPU {ct:.4f} s vs "
                      f"libuv's bare timers {cu:.4f} s (goal ≤ libuv)"))
    mb = get(co, "sleep_many", "peak_rss_mb")
    cpu = get(co, "sleep_many", "cpu_seconds")
    goals.append((mb <= GOAL_SLEEP_MANY_MB and cpu < GOAL_SLEEP_MANY_CPU,
                  f"{args.sleepers:,} tasks sleeping 1 s: peak RSS {mb:.0f} "
                  f"MB, CPU {cpu:.2f} s (goal ≤ {GOAL_SLEEP_MANY_MB:.0f} MB, "
                  f"< {GOAL_SLEEP_MANY_CPU:.0f} s)"))
    b = get(co, "task_memory", "bytes_per_task")
    if b is None:
        goals.append((None, "memory: not measurable in this build"))
    else:
        goals.append((b <= GOAL_TASK_BYTES,
                      f"memory: {b:.0f} bytes per pending task beyond the "
                      f"frame (goal ≤ {GOAL_TASK_BYTES:.0f})"))
    if not args.no_ring:
        goals += ring_table(ring)
    if not args.no_echo:
        goals += echo_table(run_echo(args))
    return print_goals(goals, args)


def print_goals(goals, args):
    print("goals:")
    missed = 0
    for met, text in goals:
        mark = "SKIP" if met is None else ("MET " if met else "MISSED")
        missed += met is False
        print(f"  {mark:6} {text}")
    return 1 if (missed and args.strict) else 0


# ---- echo over loopback TCP ------------------------------------------------

GOAL_ECHO_VS_UVLOOP = 1.0   # coflow round trips per second / uvloop's, at least


def run_echo(args):
    """{impl: {"echo": fields}} for coflow streams on epoll, asyncio streams
    and uvloop streams, the runs taking turns; best = least wall time."""
    sizes = [str(args.echo_conns), str(args.echo_rounds), "100"]
    cmds = [("coflow", [args.coflow_echo, "epoll"] + sizes)]
    if not args.no_asyncio:
        cmds.append(("asyncio", [args.python, args.asyncio, "echo"] + sizes))
    if has_uvloop(args.uvloop_python):
        cmds.append(("uvloop", [args.uvloop_python, args.asyncio, "--uvloop",
                                "echo"] + sizes))
    figures = {impl: {} for impl, _ in cmds}
    print("running the echo ...", file=sys.stderr, flush=True)
    for _ in range(args.repeat):
        for impl, cmd in cmds:
            keep_best(figures[impl], run(cmd, 1, "seconds"), "seconds")
    return figures


def echo_table(echo):
    """Prints the echo figures; returns the goal (throughput >= uvloop's)."""
    print()
    print("echo: 100-byte round trips over loopback TCP, server and clients "
          "on one loop")
    print(f"  {'impl':16} {'wall':>10} {'CPU':>10} {'round trips/s':>14}")
    for impl in ("coflow", "asyncio", "uvloop"):
        f = echo.get(impl, {}).get("echo")
        if not f:
            continue
        name = "coflow epoll" if impl == "coflow" else impl
        print(f"  {name:16} {f['seconds']:>9.3f}s {f['cpu_seconds']:>9.3f}s "
              f"{f['round_trips_per_s']:>14.0f}")
    c = get(echo.get("coflow", {}), "echo", "round_trips_per_s")
    u = get(echo.get("uvloop", {}), "echo", "round_trips_per_s")
    if c is None or u is None:
        return [(None, "echo: coflow or uvloop not run")]
    return [(c / u >= GOAL_ECHO_VS_UVLOOP,
             f"echo over loopback: coflow {c:.0f} round trips/s, "
             f"{c / u:.1f}× uvloop's {u:.0f} (goal ≥ uvloop)")]


# ---- the socketpair ring ---------------------------------------------------

def has_uvloop(python):
    if python == "none":
        return False
    try:
        return subprocess.run([python, "-c", "import uvloop"],
                              capture_output=True).returncode == 0
    except OSError:
        return False


def run_ring(args):
    """{impl: {workload: fields}}, impl being a coflow backend, asyncio or
    uvloop; the runs take turns, as above."""
    cmds = []
    for b in RING_BACKENDS:
        n = args.ring_messages if b == "epoll" else args.ring_slow_messages
        cmds.append((b, [args.coflow_ring, b, str(n)]))
    if not args.no_asyncio:
        cmds.append(("asyncio", [args.python, args.asyncio, "ring",
                                 str(args.ring_messages)]))
    if has_uvloop(args.uvloop_python):
        cmds.append(("uvloop", [args.uvloop_python, args.asyncio, "--uvloop",
                                "ring", str(args.ring_messages)]))
    else:
        print(f"compare.py: no uvloop for {args.uvloop_python}; install "
              f"python3-uvloop (Debian) to compare with it", file=sys.stderr)
    figures = {impl: {} for impl, _ in cmds}
    print("running the ring ...", file=sys.stderr, flush=True)
    for _ in range(args.repeat):
        for impl, cmd in cmds:
            keep_best(figures[impl], run(cmd, 1, "seconds"), "seconds")
    return figures


def ring_table(ring):
    """Prints µs per message for every implementation; returns the goals."""
    impls = [i for i in RING_BACKENDS + ("asyncio", "uvloop") if i in ring]

    def us(impl, w):
        ns = get(ring.get(impl, {}), w, "ns_per_op")
        return None if ns is None else ns / 1000.0

    head = ["ring: µs per message"] + [
        i if i in ("asyncio", "uvloop") else "coflow " + i for i in impls]
    if "uvloop" in ring:
        head.append("uvloop/epoll")
    rows = []
    for mode in ("tasks", "callbacks"):
        for p in RING_PS:
            w = f"ring_{mode}_{p}"
            row = [f"{mode}, P={p}"]
            row += ["—" if us(i, w) is None else f"{us(i, w):.2f}"
                    for i in impls]
            if "uvloop" in ring:
                row.append(fmt_ratio(us("uvloop", w), us("epoll", w)))
            rows.append(row)
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    print()
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))
    print()

    goals = []
    for mode in ("tasks", "callbacks"):
        lo, hi = us("epoll", f"ring_{mode}_10"), us("epoll", f"ring_{mode}_1000")
        if lo is None or hi is None:
            goals.append((None, f"ring, {mode}: epoll not run"))
            continue
        goals.append((hi / lo <= GOAL_RING_FLAT,
                      f"ring, {mode}, epoll flat in P: P=1000 costs "
                      f"{hi / lo:.2f}× P=10 (goal ≤ {GOAL_RING_FLAT}×)"))
        if "uvloop" not in ring:
            goals.append((None, f"ring, {mode}: uvloop not run"))
            continue
        worst = max(us("epoll", f"ring_{mode}_{p}") /
                    us("uvloop", f"ring_{mode}_{p}") for p in RING_PS)
        goals.append((worst <= 1.0,
                      f"ring, {mode}, epoll at or below uvloop at every P: "
                      f"at worst {worst:.2f}× uvloop's cost (goal ≤ 1)"))
    return goals


def print_ring(ring, args):
    return print_goals(ring_table(ring), args)


if __name__ == "__main__":
    sys.exit(main())
