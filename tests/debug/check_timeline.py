#!/usr/bin/env python3
"""Checks what the timeline recorder writes, with parsers only (the
standard library): the JSON against the Chrome Trace Event Format rules
that viewers rely on, the SVG as well-formed XML with a lane per task.

Usage: check_timeline.py SAMPLE_EXE TMPDIR
Runs the sample twice: once writing through the API, once through
COFLOW_TIMELINE=PREFIX (written when the loop closes)."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def check_json(path):
    with open(path) as f:
        doc = json.load(f)
    events = doc["traceEvents"]
    assert events, "no events"
    open_by_tid = {}
    names = {}
    last_ts = {}
    for e in events:
        for key in ("ph", "ts", "pid", "tid"):
            assert key in e, f"event without {key}: {e}"
        assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e
        ph, tid = e["ph"], e["tid"]
        if ph == "M":
            if e["name"] == "thread_name":
                names[tid] = e["args"]["name"]
            continue
        if ph in ("B", "E"):
            assert e["ts"] >= last_ts.get(tid, 0), f"time went back: {e}"
            last_ts[tid] = e["ts"]
        if ph == "B":
            assert "name" in e, e
            open_by_tid.setdefault(tid, []).append(e)
        elif ph == "E":
            stack = open_by_tid.get(tid)
            assert stack, f"E without B on tid {tid}: {e}"
            b = stack.pop()
            assert b["ts"] <= e["ts"], (b, e)
        elif ph == "X":
            assert e["dur"] >= 0, e
        elif ph == "i":
            assert e.get("s") in ("t", "p", "g"), e
        else:
            raise AssertionError(f"unexpected phase {ph}")
    for tid, stack in open_by_tid.items():
        assert not stack, f"B without E on tid {tid}: {stack}"
    lanes = " ".join(names.values())
    for task in ("main", "short", "middle", "long"):
        assert task in lanes, f"no lane for task {task}: {lanes}"
    waits = [e["name"] for e in events if e.get("ph") == "B"
             and e["name"].startswith("waiting")]
    assert any("sleep" in w for w in waits), waits
    assert any("gather" in w for w in waits), waits
    assert any(e.get("name") == "threadsafe call arrived" for e in events)
    assert any(e.get("name") == "timer fired" for e in events)
    check_job(events, names)
    return len(events)


def check_job(events, names):
    """The executor job: on a worker thread's own tid, begun before it
    ended, and inside main's wait for it (so inside the recording)."""
    jobs = [e for e in events if e.get("cat") == "executor"]
    assert len(jobs) == 1, jobs
    begin = jobs[0]
    assert begin["ph"] == "B", begin
    assert begin["name"].startswith("job 1 from task 'main'"), begin
    tid = begin["tid"]
    assert "executor" in names[tid] and "thread 1" in names[tid], names
    assert not any(e.get("cat") == "task" and e["tid"] == tid
                   for e in events), "a task on the worker's lane"
    ends = [e for e in events if e["ph"] == "E" and e["tid"] == tid]
    assert len(ends) == 1, ends
    end = ends[0]
    assert 0 <= begin["ts"] < end["ts"], (begin, end)
    main_tid = next(t for t, n in names.items() if n.startswith("main "))
    # main's stretches in order; the job was submitted in a running one
    # (the worker may begin it before that step ends) and its result woke
    # main from the wait that follows, so it lies inside the two.
    stack, spans = [], []
    for e in events:
        if e.get("tid") != main_tid or e["ph"] not in ("B", "E"):
            continue
        if e["ph"] == "B":
            stack.append(e)
        else:
            b = stack.pop()
            spans.append((b["name"], b["ts"], e["ts"]))
    around = [(r, w) for r, w in zip(spans, spans[1:])
              if r[0] == "running" and w[0].startswith("waiting")
              and r[1] <= begin["ts"] and end["ts"] <= w[2]]
    assert around, f"the job is not inside main's step and wait: {spans}"


def check_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag == SVG + "svg", root.tag
    texts = " ".join("".join(t.itertext()) for t in root.iter(SVG + "text"))
    for word in ("main", "short", "middle", "long", "time (ms)", "running",
                 "waiting", "ready", "default executor", "thread 1",
                 "executor job"):
        assert word in texts, f"{word!r} not drawn"
    rects = list(root.iter(SVG + "rect"))
    assert len(rects) > 10, len(rects)


def main():
    sample, tmp = sys.argv[1], sys.argv[2]
    os.makedirs(tmp, exist_ok=True)
    js, svg = os.path.join(tmp, "sample.json"), os.path.join(tmp, "sample.svg")
    subprocess.run([sample, js, svg], check=True, timeout=60)
    n = check_json(js)
    check_svg(svg)
    prefix = os.path.join(tmp, "from-env")
    for ext in (".json", ".svg"):
        if os.path.exists(prefix + ext):
            os.remove(prefix + ext)
    env = dict(os.environ, COFLOW_TIMELINE=prefix)
    subprocess.run([sample], check=True, timeout=60, env=env)
    check_json(prefix + ".json")
    check_svg(prefix + ".svg")
    print(f"ok: {n} events, B/E matched, SVG well-formed")


if __name__ == "__main__":
    main()
