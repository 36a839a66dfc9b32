#!/usr/bin/env python3
"""Draws a lesson's timeline picture from its real example: runs the example
with COFLOW_TIMELINE set, so that the library records its first loop and
writes the picture when that loop closes.

Usage:
  draw_timeline.py [--virtual] EXAMPLE OUT.svg OUT.json OUT.html TITLE
      the build's copy (lessons/meson.build, lesson_timelines): the picture,
      its JSON for Perfetto and a small page showing it
  draw_timeline.py --check EXAMPLE GOLDEN.svg REDRAW
      the test: draws the picture on virtual time and fails, saying the
      command REDRAW, when it is not byte for byte the committed GOLDEN.svg
  draw_timeline.py --update EXAMPLE GOLDEN.svg [EXAMPLE GOLDEN.svg ...]
      redraws committed pictures on virtual time (meson compile -C build
      update-timelines)

--virtual, --check and --update run the example on virtual time
(COFLOW_CLOCK=virtual): an example that only waits on timers then records
the same times on every run, however busy the machine, so its picture can
be committed next to the lesson and checked like example.expected. Without
--virtual the example runs on the real clock (COFLOW_CLOCK=monotonic), for
examples whose threads or sockets make every run's timings their own.
"""
import html
import os
import subprocess
import sys
import tempfile


def draw(exe, virtual):
    """Runs EXE once and returns (svg, json) bytes of its first loop."""
    with tempfile.TemporaryDirectory(prefix="coflow-timeline-") as tmp:
        prefix = os.path.join(tmp, "t")
        env = dict(os.environ, COFLOW_TIMELINE=prefix,
                   COFLOW_CLOCK="virtual" if virtual else "monotonic")
        env.pop("COFLOW_DEBUG", None)
        try:
            run = subprocess.run([exe], env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, timeout=120)
        except subprocess.TimeoutExpired:
            sys.exit(f"{exe} did not end within 120 s")
        if run.returncode != 0:
            sys.exit(f"{exe} failed ({run.returncode}): "
                     f"{run.stderr.decode(errors='replace')}")
        if not os.path.exists(prefix + ".svg"):
            sys.exit(f"{exe} wrote no timeline: did it run a loop?")
        with open(prefix + ".svg", "rb") as f:
            svg = f.read()
        with open(prefix + ".json", "rb") as f:
            js = f.read()
    return svg, js


def first_difference(old, new):
    """The first line (one SVG element a line) where OLD and NEW differ."""
    a = old.decode(errors="replace").split("\n")
    b = new.decode(errors="replace").split("\n")
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "(the file ends)"
        y = b[i] if i < len(b) else "(the picture ends)"
        if x != y:
            return i + 1, x, y
    return None


def check(exe, golden, redraw):
    fresh, _ = draw(exe, True)
    try:
        with open(golden, "rb") as f:
            old = f.read()
    except OSError as e:
        print(f"{golden}: cannot be read ({e.strerror}).\n"
              f"Draw it with: {redraw}")
        return 1
    if old == fresh:
        return 0
    # On virtual time the same example draws the same bytes every run, so
    # a difference means the example (or the drawing) changed.
    print(f"{golden} is no longer what {os.path.basename(exe)} draws "
          "(on virtual time).")
    diff = first_difference(old, fresh)
    if diff:
        line, x, y = diff
        print(f"first difference, line {line}:\n"
              f"  committed: {x[:200]}\n  drawn now: {y[:200]}")
    print(f"Redraw it with: {redraw}\n"
          "then look at the picture and commit it with the change.")
    return 1


def update(pairs):
    for exe, golden in pairs:
        svg, _ = draw(exe, True)
        try:
            with open(golden, "rb") as f:
                same = f.read() == svg
        except FileNotFoundError:
            same = False
        if not same:
            with open(golden, "wb") as f:
                f.write(svg)
        print(f"{golden}: {'unchanged' if same else 'redrawn'}")
    return 0


def build(args):
    virtual = args[:1] == ["--virtual"]
    if virtual:
        args = args[1:]
    exe, svg_out, js_out, page, title = args[:5]
    svg, js = draw(exe, virtual)
    with open(svg_out, "wb") as f:
        f.write(svg)
    with open(js_out, "wb") as f:
        f.write(js)
    with open(page, "w") as f:
        f.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(title)}</title></head>\n"
                "<body style=\"font-family:sans-serif;margin:16px\">\n"
                f"<h1>{html.escape(title)}</h1>\n"
                "<p>The example's timeline, recorded as it ran: one lane per "
                "task, time from left to right.</p>\n"
                f"<img src=\"{html.escape(os.path.basename(svg_out))}\" "
                "alt=\"timeline\">\n</body></html>\n")
    return 0


def main():
    args = sys.argv[1:]
    if args[:1] == ["--check"] and len(args) == 4:
        return check(args[1], args[2], args[3])
    if args[:1] == ["--update"] and len(args) >= 3 and len(args) % 2 == 1:
        return update(list(zip(args[1::2], args[2::2])))
    if len(args) == 5 and not args[0].startswith("--") or \
            len(args) == 6 and args[0] == "--virtual":
        return build(args)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
