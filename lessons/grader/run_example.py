#!/usr/bin/env python3
"""Runs a lesson's example and compares its trace with example.expected.

Usage: run_example.py EXAMPLE EXPECTED

The example runs on virtual time (COFLOW_CLOCK=virtual, see
co_loop_set_virtual_time): its sleeps take no time and what it prints comes
in the same order however busy the machine is. Where it waits on threads or
sockets the loop waits for real, so every `t=<number>s` is still replaced by
`t=*s` on both sides before comparing (see docs/lesson-format.md).
Exit status 0 when they match; 1 with a unified diff when they do not.
"""
import difflib
import os
import re
import subprocess
import sys

TIME = re.compile(r"t=[0-9]+(\.[0-9]+)?s")


def mask(text):
    return [TIME.sub("t=*s", line) for line in text.splitlines()]


def main():
    exe, expected_path = sys.argv[1], sys.argv[2]
    try:
        run = subprocess.run([exe], capture_output=True, text=True, timeout=30,
                             env=dict(os.environ, COFLOW_CLOCK="virtual"))
    except subprocess.TimeoutExpired:
        print(f"{exe} did not end within 30 s")
        return 1
    if run.stderr:
        sys.stderr.write(run.stderr)
    if run.returncode != 0:
        print(f"{exe} exited with status {run.returncode}")
        return 1
    with open(expected_path, encoding="utf-8") as f:
        expected = mask(f.read())
    actual = mask(run.stdout)
    if actual == expected:
        return 0
    sys.stdout.writelines(
        line + "\n"
        for line in difflib.unified_diff(
            expected, actual, "example.expected", "example output", lineterm=""
        )
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
