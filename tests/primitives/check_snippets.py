#!/usr/bin/env python3
"""Extracts every ```c block of a Markdown file, compiles each one as a
complete program against the built library (warnings are errors), and runs
it: each must exit with status 0. Used for docs/primitives.md.

usage: check_snippets.py DOC OUTDIR INCLUDEDIR LIBFILE SANITIZE CC [CC args...]
"""
import os
import re
import subprocess
import sys


def main():
    doc, outdir, incdir, libfile, sanitize = sys.argv[1:6]
    cc = sys.argv[6:]
    text = open(doc, encoding="utf-8").read()
    blocks = re.findall(r"^```c\n(.*?)^```", text, flags=re.S | re.M)
    if not blocks:
        print(f"{doc}: no ```c snippets found")
        return 1
    flags = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
             "-D_POSIX_C_SOURCE=200809L", "-I", incdir]
    if sanitize and sanitize != "none":
        flags.append("-fsanitize=" + sanitize)
    libdir = os.path.dirname(os.path.abspath(libfile))
    link = [os.path.abspath(libfile), "-Wl,-rpath," + libdir, "-lm", "-pthread"]
    failed = 0
    os.makedirs(outdir, exist_ok=True)
    for n, code in enumerate(blocks, 1):
        src = os.path.join(outdir, f"snippet{n}.c")
        exe = os.path.join(outdir, f"snippet{n}")
        with open(src, "w", encoding="utf-8") as f:
            f.write(code)
        build = subprocess.run(cc + flags + [src, "-o", exe] + link,
                               capture_output=True, text=True)
        if build.returncode != 0:
            print(f"snippet {n}: does not compile\n{build.stderr}")
            failed += 1
            continue
        try:
            run = subprocess.run([exe], capture_output=True, text=True,
                                 timeout=30)
        except subprocess.TimeoutExpired:
            print(f"snippet {n}: did not finish in 30 s")
            failed += 1
            continue
        if run.returncode != 0:
            print(f"snippet {n}: exited with {run.returncode}\n"
                  f"{run.stdout}{run.stderr}")
            failed += 1
            continue
        print(f"snippet {n}: ok\n{run.stdout}")
    print(f"{len(blocks) - failed} of {len(blocks)} snippets compile and run")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
