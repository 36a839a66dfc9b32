#!/usr/bin/env python3
"""count_lines.py - how many lines of C each example takes per line of its
Python twin. A line counts if it is not blank, not only a comment and not
a lone brace (C) - the measure of issue 11.

usage: count_lines.py [DIR] [--before OTHER_DIR]
DIR holds NAME.c + NAME.py pairs (default: this script's directory);
--before adds a column for other C versions of the same NAMEs."""
import os
import re
import sys


def c_lines(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    count = 0
    for line in text.splitlines():
        line = re.sub(r"//.*", "", line).strip()
        if line and line not in ("{", "}", "};"):
            count += 1
    return count


def py_lines(text):
    count = 0
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            count += 1
    return count


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    before = None
    if "--before" in argv:
        i = argv.index("--before")
        before = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    folder = argv[0] if argv else here
    names = sorted(n[:-3] for n in os.listdir(folder)
                   if n.endswith(".py") and n != "count_lines.py" and
                   os.path.exists(os.path.join(folder, n[:-3] + ".c")))
    head = f"{'example':<18} {'Python':>6} {'C':>5} {'ratio':>6}"
    if before:
        head += f" {'C before':>8} {'ratio':>6}"
    print(head)
    tot_py = tot_c = tot_b = 0
    for name in names:
        with open(os.path.join(folder, name + ".py")) as f:
            py = py_lines(f.read())
        with open(os.path.join(folder, name + ".c")) as f:
            c = c_lines(f.read())
        tot_py += py
        tot_c += c
        row = f"{name:<18} {py:>6} {c:>5} {c / py:>6.2f}"
        if before:
            with open(os.path.join(before, name + ".c")) as f:
                b = c_lines(f.read())
            tot_b += b
            row += f" {b:>8} {b / py:>6.2f}"
        print(row)
    if names:
        row = f"{'total':<18} {tot_py:>6} {tot_c:>5} {tot_c / tot_py:>6.2f}"
        if before:
            row += f" {tot_b:>8} {tot_b / tot_py:>6.2f}"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
