#!/usr/bin/env python3
"""Every ```c block of the docs and lesson READMEs compiles, and runs.

usage: check_snippets.py ROOT INCLUDE_DIR LIBRARY SANITIZE CC [ARGS...]

Each ```c block is a complete translation unit with its own #includes
(docs/lesson-format.md): it is compiled with the project's warning flags.
A block that defines main() is a whole program: it is also linked against
the freshly built library and run, and must exit with status 0 within
20 seconds. A C fragment that is not meant to compile (a compiler error
being shown) is fenced as ```text instead. Errors point at the Markdown
file's own lines. Exit status 0 when every block passes, 1 otherwise.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^\s*```+\s*([A-Za-z0-9_+-]*)\s*$")
HAS_MAIN = re.compile(r"^\s*int\s+main\s*\(", re.M)
FLAGS = ["-std=c11", "-D_POSIX_C_SOURCE=200809L",
         "-Wall", "-Wextra", "-Wpedantic", "-Werror"]


def c_blocks(path):
    """Yields (line number of the first code line, code) per ```c block."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, first, body = m.group(1).lower(), i + 2, []
        i += 1
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        if lang == "c":
            yield first, "\n".join(body) + "\n"


def check(block, path, rel, tmp, n, include, library, sanitize, cc):
    """None if the block compiles (and runs), else what went wrong."""
    line, code = block
    src = os.path.join(tmp, f"snippet{n}.c")
    with open(src, "w", encoding="utf-8") as f:
        f.write(f'#line {line} "{rel}"\n' + code)
    flags = FLAGS + ["-I", include]
    if sanitize not in ("", "none"):
        flags += ["-fsanitize=" + sanitize]
    if not HAS_MAIN.search(code):
        build = subprocess.run(cc + flags + ["-c", "-o", os.devnull, src],
                               capture_output=True, text=True)
        return None if build.returncode == 0 else \
            "does not compile:\n" + build.stdout + build.stderr
    exe = os.path.join(tmp, f"snippet{n}")
    libdir = os.path.dirname(os.path.abspath(library))
    build = subprocess.run(cc + flags + [src, "-o", exe,
                                         os.path.abspath(library),
                                         "-Wl,-rpath," + libdir,
                                         "-lm", "-pthread"],
                           capture_output=True, text=True)
    if build.returncode != 0:
        return "does not compile:\n" + build.stdout + build.stderr
    try:
        run = subprocess.run([exe], capture_output=True, text=True,
                             timeout=20, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "still running after 20 s"
    if run.returncode != 0:
        return f"exits with status {run.returncode}:\n{run.stdout}{run.stderr}"
    return None


def main(argv):
    if len(argv) < 6:
        print(__doc__)
        return 2
    root, include, library, sanitize, cc = argv[1], argv[2], argv[3], \
        argv[4], argv[5:]
    pages = sorted(glob.glob(os.path.join(root, "lessons", "*", "README.md")))
    pages += sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    failed = total = ran = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in pages:
            rel = os.path.relpath(path, root)
            for block in c_blocks(path):
                total += 1
                ran += bool(HAS_MAIN.search(block[1]))
                why = check(block, path, rel, tmp, total, include, library,
                            sanitize, cc)
                if why:
                    failed += 1
                    print(f"FAIL {rel}, the ```c block at line {block[0]}: "
                          f"{why}")
                else:
                    print(f"ok   {rel}:{block[0]}")
    if total == 0:
        print("no ```c block found: this test would prove nothing")
        return 1
    print(f"{total - failed} of {total} C snippets pass "
          f"({ran} of them whole programs, run)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
