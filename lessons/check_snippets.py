#!/usr/bin/env python3
"""Compiles every ```c block of lessons/*/README.md and docs/*.md.

Usage: check_snippets.py SOURCE_ROOT BUILD_ROOT CC [CC ARGS...]

Each block is a complete translation unit with its own #includes (see
docs/lesson-format.md); it is compiled, not linked, with the project's
warning flags, against lib/include. A block that is not meant to compile
(a compiler error being shown) is fenced as ```text instead.
Exit status 0 when every block compiles, 1 otherwise; errors point at
the README's own lines.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^(\s*)```+\s*([A-Za-z0-9_+-]*)\s*$")
FLAGS = [
    "-std=c11", "-D_POSIX_C_SOURCE=200809L",
    "-Wall", "-Wextra", "-Wpedantic", "-Werror",
    "-c", "-o", os.devnull,
]


def c_blocks(path):
    """Yields (first line number, code) for each ```c block of path."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start, body = m.group(2).lower(), i + 1, []
        i += 1
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        if lang == "c":
            yield start + 1, "\n".join(body) + "\n"


def main():
    root, build, cc = sys.argv[1], sys.argv[2], sys.argv[3:]
    files = sorted(glob.glob(os.path.join(root, "lessons", "*", "README.md")))
    files += sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    include = ["-I", os.path.join(root, "lib", "include")]
    failed = total = 0
    with tempfile.TemporaryDirectory(dir=build) as tmp:
        for path in files:
            rel = os.path.relpath(path, root)
            for line, code in c_blocks(path):
                total += 1
                src = os.path.join(tmp, f"snippet{total}.c")
                with open(src, "w", encoding="utf-8") as f:
                    f.write(f'#line {line} "{rel}"\n' + code)
                run = subprocess.run(cc + FLAGS + include + [src],
                                     capture_output=True, text=True)
                if run.returncode != 0:
                    failed += 1
                    print(f"FAIL {rel}, the ```c block at line {line}:")
                    print(run.stdout + run.stderr)
                else:
                    print(f"ok   {rel}:{line}")
    print(f"{total - failed} of {total} C snippets compile")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
