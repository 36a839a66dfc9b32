#!/usr/bin/env python3
"""The download benchmark of docs/performance.md: 200 files of 64 KiB from
a local nginx at concurrency 20, fetched by coflow-get (one loop, and its
--threads shape), by Python's aiohttp (the notes' library) and by
`curl --parallel --parallel-max 20`, side by side in one run. For each
client: wall time and CPU time (user + sys of the client process, from
wait4), the median of several rounds, after a warm-up round. The aiohttp
client also reports the time of its downloads alone (without starting the
interpreter and importing aiohttp), shown on a row of its own.

usage: download_bench.py PATH/TO/coflow-get [--rounds N] [--files N]
                         [--size BYTES] [--jobs N] [--python PATH]

nginx is started on a free loopback port with a temporary configuration
(one worker process, access log off) and waited for by connecting to it.
Every round checks that each file arrived whole.
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

AIOHTTP_CLIENT = r'''
import asyncio, os, sys, time
import aiohttp

async def fetch(session, sem, url, out):
    async with sem:
        async with session.get(url) as resp:
            resp.raise_for_status()
            data = await resp.read()
    with open(os.path.join(out, url.rsplit("/", 1)[1]), "wb") as f:
        f.write(data)

async def main(out, jobs, urls):
    sem = asyncio.Semaphore(jobs)
    conn = aiohttp.TCPConnector(limit=jobs)
    async with aiohttp.ClientSession(connector=conn) as session:
        await asyncio.gather(*(fetch(session, sem, u, out) for u in urls))

# The downloads alone, without the interpreter's start and the imports
# (which the wall time of the process includes): printed for the driver.
t0, c0 = time.perf_counter(), time.process_time()
asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3:]))
print("inner", time.perf_counter() - t0, time.process_time() - c0)
'''

NGINX_CONF = '''
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {d}/tmp;
    proxy_temp_path {d}/tmp;
    fastcgi_temp_path {d}/tmp;
    uwsgi_temp_path {d}/tmp;
    scgi_temp_path {d}/tmp;
    types {{ application/octet-stream bin; }}
    server {{
        listen 127.0.0.1:{port};
        root {d}/www;
    }}
}}
'''


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, proc, deadline=20):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            sys.exit("nginx exited with %d" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("nginx did not start listening on port %d" % port)


def measure(argv):
    """Runs argv; returns (wall seconds, cpu seconds), exits on failure."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = status
        out.seek(0)
        err.seek(0)
        text = out.read().decode(errors="replace")
        if status != 0:
            sys.exit("%s failed (%d): %s" % (argv[0], status,
                     err.read().decode(errors="replace")[-2000:]))
    inner = None
    for line in text.splitlines():
        if line.startswith("inner "):
            inner = tuple(float(x) for x in line.split()[1:3])
    return wall, ru.ru_utime + ru.ru_stime, inner


def check(out, names, size):
    got = os.listdir(out)
    if sorted(got) != sorted(names):
        sys.exit("%s: %d files instead of %d" % (out, len(got), len(names)))
    for n in names:
        if os.path.getsize(os.path.join(out, n)) != size:
            sys.exit("%s/%s: wrong size" % (out, n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("coflow_get")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--size", type=int, default=64 * 1024)
    ap.add_argument("--jobs", type=int, default=20)
    ap.add_argument("--python", default="/usr/bin/python3",
                    help="the Python that has aiohttp (Debian's)")
    args = ap.parse_args()

    d = tempfile.mkdtemp(prefix="http-bench-")
    # Run as root, nginx serves from worker processes of user "nobody".
    os.chmod(d, 0o755)
    nginx = None
    try:
        os.makedirs(os.path.join(d, "www"))
        os.makedirs(os.path.join(d, "tmp"))
        names = ["img%03d.bin" % i for i in range(args.files)]
        for i, n in enumerate(names):
            with open(os.path.join(d, "www", n), "wb") as f:
                f.write(os.urandom(args.size))
        port = free_port()
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF.format(d=d, port=port))
        nginx = subprocess.Popen(["nginx", "-c", os.path.join(d, "nginx.conf"),
                                  "-p", d], stderr=subprocess.DEVNULL)
        wait_listening(port, nginx)
        urls = ["http://127.0.0.1:%d/%s" % (port, n) for n in names]
        with open(os.path.join(d, "aiohttp_get.py"), "w") as f:
            f.write(AIOHTTP_CLIENT)
        j = str(args.jobs)
        clients = {
            "coflow-get": lambda out: [args.coflow_get, "-q", "-j", j, "-o",
                                       out, *urls],
            "coflow-get --threads": lambda out: [
                args.coflow_get, "-q", "--threads", "-j", j, "-o", out,
                *urls],
            "aiohttp": lambda out: [args.python, os.path.join(
                d, "aiohttp_get.py"), out, j, *urls],
            "curl --parallel": lambda out: [
                "curl", "-s", "-f", "--parallel", "--parallel-max", j,
                "--output-dir", out, "--remote-name-all", *urls],
        }
        results = {}
        for rnd in range(args.rounds + 1):  # round 0 warms up
            for name, make in clients.items():
                out = os.path.join(d, "out")
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                wall, cpu, inner = measure(make(out))
                check(out, names, args.size)
                if rnd > 0:
                    results.setdefault(name, []).append((wall, cpu))
                    if inner:
                        results.setdefault(name + ", downloads only",
                                           []).append(inner)
        print("%d files of %d bytes from nginx on loopback, concurrency %d, "
              "median of %d rounds" % (args.files, args.size, args.jobs,
                                        args.rounds))
        print("%-30s %10s %10s" % ("client", "wall ms", "cpu ms"))
        med = {}
        for name, rs in results.items():
            wall = statistics.median(r[0] for r in rs) * 1000
            cpu = statistics.median(r[1] for r in rs) * 1000
            med[name] = (wall, cpu)
            print("%-30s %10.1f %10.1f" % (name, wall, cpu))
        cw, cc = med["coflow-get"]
        aw = med["aiohttp"][0]
        kc = med["curl --parallel"][1]
        print("goal: wall at most aiohttp's: %.1f vs %.1f ms: %s" %
              (cw, aw, "met" if cw <= aw else "NOT met"))
        ai = med.get("aiohttp, downloads only")
        if ai:
            print("      (aiohttp without its start-up: %.1f ms: %s)" %
                  (ai[0], "met" if cw <= ai[0] else "NOT met"))
        print("goal: cpu at most curl's:     %.1f vs %.1f ms: %s" %
              (cc, kc, "met" if cc <= kc else "NOT met"))
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait(20)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
