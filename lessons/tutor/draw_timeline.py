#!/usr/bin/env python3
"""Draws a lesson's timeline picture from its real example, for the build
(lessons/meson.build) and its README: runs the example with
COFLOW_TIMELINE set, so that the library records its loop and writes the
picture when the loop closes, then writes a small page showing it.

Usage: draw_timeline.py EXAMPLE OUT.svg OUT.json OUT.html TITLE
"""
import html
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    exe, svg, js, page, title = sys.argv[1:6]
    with tempfile.TemporaryDirectory(prefix="coflow-timeline-") as tmp:
        prefix = os.path.join(tmp, "t")
        env = dict(os.environ, COFLOW_TIMELINE=prefix)
        env.pop("COFLOW_DEBUG", None)
        run = subprocess.run([exe], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, timeout=120)
        if run.returncode != 0:
            sys.exit(f"{exe} failed ({run.returncode}): "
                     f"{run.stderr.decode(errors='replace')}")
        if not os.path.exists(prefix + ".svg"):
            sys.exit(f"{exe} wrote no timeline: did it run a loop?")
        shutil.copyfile(prefix + ".svg", svg)
        shutil.copyfile(prefix + ".json", js)
    with open(page, "w") as f:
        f.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(title)}</title></head>\n"
                "<body style=\"font-family:sans-serif;margin:16px\">\n"
                f"<h1>{html.escape(title)}</h1>\n"
                "<p>The example's timeline, recorded as it ran: one lane per "
                "task, time from left to right.</p>\n"
                f"<img src=\"{html.escape(os.path.basename(svg))}\" "
                "alt=\"timeline\">\n</body></html>\n")


if __name__ == "__main__":
    main()
