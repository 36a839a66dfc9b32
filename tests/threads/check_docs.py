#!/usr/bin/env python3
"""Compiles and runs every ```c block of a Markdown file as a complete
program against the built library; fails on the first that does not build,
exits non-zero, or hangs. Usage:
  check_docs.py DOC.md INCLUDE_DIR LIBRARY_FILE SANITIZE CC [CC ARGS...]"""
import os
import re
import subprocess
import sys
import tempfile


def main():
    doc, inc, lib, sanitize, cc = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
    text = open(doc, encoding="utf-8").read()
    blocks = re.findall(r"^```c\n(.*?)^```", text, flags=re.S | re.M)
    if not blocks:
        print(f"{doc}: no ```c blocks found")
        return 1
    libdir = os.path.dirname(os.path.abspath(lib))
    flags = ["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra",
             "-Wpedantic", "-Werror", "-pthread", "-I", inc]
    if sanitize not in ("", "none"):
        flags.append("-fsanitize=" + sanitize)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, code in enumerate(blocks, 1):
            src = os.path.join(tmp, f"snippet{i}.c")
            exe = os.path.join(tmp, f"snippet{i}")
            with open(src, "w", encoding="utf-8") as f:
                f.write(code)
            build = subprocess.run(cc + flags + [src, "-o", exe, "-L", libdir,
                                   "-Wl,-rpath," + libdir, "-lcoflow", "-lm"],
                                   capture_output=True, text=True)
            if build.returncode != 0:
                print(f"snippet {i} does not compile:\n{build.stderr}")
                failed += 1
                continue
            try:
                run = subprocess.run([exe], capture_output=True, text=True,
                                     timeout=60)
            except subprocess.TimeoutExpired:
                print(f"snippet {i} hangs")
                failed += 1
                continue
            print(f"--- snippet {i} (exit {run.returncode})\n{run.stdout}{run.stderr}")
            if run.returncode != 0:
                failed += 1
    print(f"{len(blocks)} snippets, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
