#!/usr/bin/env python3
"""Compiles and runs every ```c block of a Markdown page.

Each block must be a complete program (its own #includes and main). It is
built with the project's warning flags against the freshly built library
and run; it must exit with status 0 within a few seconds. A page with no C
block at all is a failure too: the test would otherwise prove nothing.

usage: check_snippets.py PAGE.md INCLUDE_DIR LIBRARY -- CC... -- CFLAGS...
"""
import os
import re
import subprocess
import sys
import tempfile


def blocks(text):
    """(line number, code) of each ```c block."""
    found = []
    for m in re.finditer(r'^```c[ \t]*\n(.*?)^```[ \t]*$', text,
                         re.S | re.M):
        found.append((text.count('\n', 0, m.start()) + 1, m.group(1)))
    return found


def main(argv):
    try:
        first = argv.index('--')
        second = argv.index('--', first + 1)
    except ValueError:
        print(__doc__)
        return 2
    page, include_dir, library = argv[1:first]
    cc = argv[first + 1:second]
    cflags = argv[second + 1:]
    with open(page, encoding='utf-8') as f:
        found = blocks(f.read())
    if not found:
        print(f'{page}: no ```c block found')
        return 1
    libdir = os.path.dirname(os.path.abspath(library))
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, (line, code) in enumerate(found):
            src = os.path.join(tmp, f'snippet{n}.c')
            exe = os.path.join(tmp, f'snippet{n}')
            with open(src, 'w', encoding='utf-8') as f:
                f.write(code)
            cmd = cc + cflags + ['-I', include_dir, src, '-o', exe,
                                 os.path.abspath(library),
                                 '-Wl,-rpath,' + libdir, '-lm', '-pthread']
            build = subprocess.run(cmd, capture_output=True, text=True)
            where = f'{page}:{line}'
            if build.returncode != 0:
                print(f'FAIL {where}: does not compile\n{build.stderr}')
                failed += 1
                continue
            try:
                run = subprocess.run([exe], capture_output=True, text=True,
                                     timeout=20)
            except subprocess.TimeoutExpired:
                print(f'FAIL {where}: still running after 20 s')
                failed += 1
                continue
            if run.returncode != 0:
                print(f'FAIL {where}: exit status {run.returncode}\n'
                      f'{run.stdout}{run.stderr}')
                failed += 1
                continue
            print(f'ok   {where}')
    print(f'{len(found) - failed} of {len(found)} blocks compile and run')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
