#!/usr/bin/env python3
"""Every ```c block of the docs and lesson READMEs compiles, and runs;
code shown from a real file is that file's code; traces are real output.

usage: check_snippets.py ROOT INCLUDE_DIR LIBRARY SANITIZE CC [ARGS...]

Each ```c block is a complete translation unit with its own #includes
(docs/lesson-format.md): it is compiled with the project's warning flags.
A block that defines main() is a whole program: it is also linked against
the freshly built library and run, and must exit with status 0 within
20 seconds. A C fragment that is not meant to compile (a compiler error
being shown) is fenced as ```text instead. Errors point at the Markdown
file's own lines.

Code that cannot drift (docs/lesson-format.md):
- A block right after `<!-- snippet: PATH -->` must be the file PATH
  (relative to the Markdown file's folder) exactly; after
  `<!-- snippet: PATH#NAME,NAME... -->` it must be the named definitions
  of that file (`struct x` for a struct, a bare name for a function),
  each as the file has it, one blank line between them. Such a block is
  not compiled on its own: the file itself is, by the build.
- A ```text block right after `<!-- output: PATH -->` must be what the
  C program PATH prints when it is compiled and run here, on virtual time
  (COFLOW_CLOCK=virtual: the order of what it prints does not depend on
  how busy the machine is), with every `t=<number>s` masked as `t=*s` on
  both sides; `<!-- output: above -->`
  compares it with what the page's latest ```c whole program printed.
- Every `@code` ... `@endcode` block of a public header (lib/include) is a
  translation unit too, and is compiled (and run, if it has a main()).
  A header block may instead be a fragment of a coroutine: its frame
  struct (`struct NAME { co_coro co; ... };`, after any helpers it
  needs), a line `...` alone, then statements of the coroutine's body.
  The check wraps those statements into the step function of NAME
  (`self` is the frame) between CO_BEGIN and CO_END, includes
  coflow.h, stdint.h, stdio.h, stdlib.h and string.h, and runs the
  coroutine with co_run() on a zeroed frame: it must end without a
  failure. A block with a line `// compile-only` (in a fragment: before
  the `...`) is compiled and linked but not run: for an example that
  needs a network peer, or objects made elsewhere.
- Every lesson README (lessons/NN-slug/README.md) opens, under its title,
  with a summary of two to four lines in English (`> **In short:** ...`)
  and two to four in Chinese (`> **摘要：** ...`).
Exit status 0 when every check passes, 1 otherwise.
"""
import difflib
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


MARKER = re.compile(r"^\s*<!--\s*(snippet|output):\s*(.+?)\s*-->\s*$")
TIME = re.compile(r"t=[0-9]+(\.[0-9]+)?s")
# Programs run on virtual time (co_loop_set_virtual_time): their sleeps
# take no time and their traces come out in the same order on a loaded
# machine as on an idle one.
VIRTUAL_TIME = dict(os.environ, COFLOW_CLOCK="virtual")


def fenced_blocks(path):
    """Yields (lang, line of the first code line, code, marker) per fenced
    block; marker is (kind, argument) of a `<!-- snippet/output: ... -->`
    line right before the fence, else None."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        mk = MARKER.match(lines[i - 1]) if i > 0 else None
        lang, first, body = m.group(1).lower(), i + 2, []
        i += 1
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        yield lang, first, "\n".join(body) + "\n", \
            (mk.group(1), mk.group(2)) if mk else None


def c_blocks(path):
    """Yields (line of the first code line, code) per ```c block that is
    to be compiled (not one shown from a file by a snippet marker)."""
    for lang, first, code, marker in fenced_blocks(path):
        if lang == "c" and not (marker and marker[0] == "snippet"):
            yield first, code


def header_blocks(path):
    """Yields (line, code) per @code ... @endcode block of a header's
    comments, with the comment's own indentation (and any leading ` * `)
    taken off."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        if re.search(r"[@\\]code\b", lines[i]):
            first, body = i + 2, []
            i += 1
            while i < len(lines) and not re.search(r"[@\\]endcode\b",
                                                   lines[i]):
                body.append(re.sub(r"^\s?\*(?!/)", " ", lines[i]))
                i += 1
            indent = min((len(b) - len(b.lstrip()) for b in body
                          if b.strip()), default=0)
            yield first, "\n".join(b[indent:] for b in body) + "\n"
        i += 1


FRAME = re.compile(r"^\s*struct\s+(\w+)\s*\{\s*co_coro\s+co\s*;", re.M)
COMPILE_ONLY = re.compile(r"^\s*//\s*compile-only\b", re.M)


def wrap_fragment(line, code, rel):
    """The whole program a coroutine fragment of a header stands for (see
    the module's comment), with #line directives pointing at the header;
    None if the block is not such a fragment."""
    lines = code.split("\n")
    cut = next((i for i, text in enumerate(lines) if text.strip() == "..."),
               None)
    if cut is None:
        return None
    frames = FRAME.findall("\n".join(lines[:cut]))
    if not frames:
        return None
    name = frames[-1]
    head = "\n".join(lines[:cut])
    body = "\n".join(lines[cut + 1:])
    return (f"#include <coflow.h>\n#include <stdint.h>\n#include <stdio.h>\n"
            f"#include <stdlib.h>\n#include <string.h>\n#line {line} \"{rel}\"\n{head}\n"
            f"int co_snippet_step(co_coro *co);\n"
            f"int co_snippet_step(co_coro *co)\n{{\n"
            f"    struct {name} *self = (struct {name} *)(void *)co;\n"
            f"    (void)self;\n    CO_BEGIN(co);\n"
            f"#line {line + cut + 1} \"{rel}\"\n{body}\n"
            f"    CO_END(co);\n}}\n\n"
            f"int main(void)\n{{\n"
            f"    struct {name} *frame = CO_NEW(struct {name}, "
            f"co_snippet_step);\n"
            f"    int err = co_run_and_free(frame ? &frame->co : NULL);\n"
            f"    if (err != 0)\n"
            f"        fprintf(stderr, \"the fragment failed: %s\\n\", "
            f"co_strerror(err));\n"
            f"    return err != 0;\n}}\n")


def extract(text, names):
    """The named definitions of a C file, as the file has them: (code,
    None), or (None, why not)."""
    lines = text.split("\n")
    pieces = []
    for name in names:
        name = name.strip()
        if name.startswith("struct "):
            start_rx = re.compile(r"^(typedef\s+)?struct\s+" +
                                  re.escape(name[7:].strip()) + r"\s*\{")

            def at_end(line):
                return re.match(r"^\}.*;\s*(/\*.*\*/)?\s*$", line)
        else:
            start_rx = re.compile(r"^[A-Za-z_][^;(]*\b" + re.escape(name) +
                                  r"\s*\((?!.*;\s*$)")

            def at_end(line):
                return line.rstrip() == "}"
        start = next((i for i, line in enumerate(lines)
                      if start_rx.match(line)), None)
        if start is None:
            return None, f"it has no definition of {name}"
        end = start
        while end < len(lines) and not at_end(lines[end]):
            end += 1
        if end == len(lines):
            return None, f"its definition of {name} never ends"
        pieces.append("\n".join(lines[start:end + 1]))
    return "\n\n".join(pieces) + "\n", None


def check_snippet(md, code, arg):
    """None if the block is the code it says it shows, else why not."""
    path, _, names = arg.partition("#")
    full = os.path.join(os.path.dirname(md), path)
    try:
        with open(full, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        return f"the snippet marker names {path}, which cannot be read ({e})"
    if names:
        want, why = extract(text, names.split(","))
        if why:
            return f"{path}: {why}"
    else:
        want = text if text.endswith("\n") else text + "\n"
    if code == want:
        return None
    diff = difflib.unified_diff(want.splitlines(), code.splitlines(),
                                path, "the block", lineterm="")
    return (f"differs from {arg} (paste it again from the file):\n" +
            "\n".join(diff))


def compile_and_run(src, exe, include, library, sanitize, cc):
    """(stdout, None) from building and running C file src, or (None, why)."""
    flags = FLAGS + ["-I", include]
    if sanitize not in ("", "none"):
        flags += ["-fsanitize=" + sanitize]
    libdir = os.path.dirname(os.path.abspath(library))
    build = subprocess.run(cc + flags + [src, "-o", exe,
                                         os.path.abspath(library),
                                         "-Wl,-rpath," + libdir,
                                         "-lm", "-pthread"],
                           capture_output=True, text=True)
    if build.returncode != 0:
        return None, "does not compile:\n" + build.stdout + build.stderr
    try:
        run = subprocess.run([exe], capture_output=True, text=True,
                             timeout=20, stdin=subprocess.DEVNULL,
                             env=VIRTUAL_TIME)
    except subprocess.TimeoutExpired:
        return None, "still running after 20 s"
    if run.returncode != 0:
        return None, (f"exits with status {run.returncode}:\n"
                      f"{run.stdout}{run.stderr}")
    return run.stdout, None


def check_output(md, trace, arg, tmp, n, include, library, sanitize, cc):
    """None if the trace is what program arg prints (arg "above": the
    page's latest ```c whole program), else why not."""
    if arg == "above":
        out = LAST_OUTPUT.get(md)
        if out is None:
            return ("is marked as the output of the program above, but no "
                    "whole program above it ran")
        arg = "the program above"
    else:
        src = os.path.join(os.path.dirname(md), arg)
        if not os.path.isfile(src):
            return f"the output marker names {arg}, which does not exist"
        out, why = compile_and_run(src, os.path.join(tmp, f"traced{n}"),
                                   include, library, sanitize, cc)
        if why:
            return f"{arg} {why}"

    def mask(text):
        return [TIME.sub("t=*s", line).rstrip() for line in
                text.rstrip("\n").split("\n")]
    if mask(trace) == mask(out):
        return None
    diff = difflib.unified_diff(mask(out), mask(trace), f"{arg} prints",
                                "the block", lineterm="")
    return f"is not what {arg} prints:\n" + "\n".join(diff)


SUMMARY_EN = re.compile(r"^> \*\*In short:\*\* \S")
SUMMARY_ZH = re.compile(r"^> \*\*摘要：\*\* \S")
CJK = re.compile(r"[\u4e00-\u9fff]")


def check_summary(path):
    """None if the lesson README opens with its two summaries."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    en, zh = [], []
    if i < len(lines) and SUMMARY_EN.match(lines[i]):
        while i < len(lines) and lines[i].startswith("> ") and \
                not SUMMARY_ZH.match(lines[i]):
            en.append(lines[i])
            i += 1
        if i < len(lines) and lines[i].strip() == ">":
            i += 1
        while i < len(lines) and lines[i].startswith("> "):
            zh.append(lines[i])
            i += 1
    if not en or not zh or not SUMMARY_ZH.match(zh[0]):
        return ("does not open with its summaries: under the title, a "
                "quote of 2-4 lines starting '> **In short:** ', a '>' "
                "line, then 2-4 lines starting '> **摘要：** ' "
                "(docs/lesson-format.md)")
    if not 2 <= len(en) <= 4 or not 2 <= len(zh) <= 4:
        return (f"its summaries have {len(en)} English and {len(zh)} "
                f"Chinese lines; each should have 2 to 4")
    if not all(CJK.search(z) for z in zh):
        return "its Chinese summary has a line with no Chinese in it"
    return None


def check(block, path, rel, tmp, n, include, library, sanitize, cc,
          fragments=False):
    """None if the block compiles (and runs), else what went wrong."""
    line, code = block
    src = os.path.join(tmp, f"snippet{n}.c")
    whole = wrap_fragment(line, code, rel) if fragments else None
    with open(src, "w", encoding="utf-8") as f:
        f.write(whole or f'#line {line} "{rel}"\n' + code)
    flags = FLAGS + ["-I", include]
    if sanitize not in ("", "none"):
        flags += ["-fsanitize=" + sanitize]
    if COMPILE_ONLY.search(code) and (whole or HAS_MAIN.search(code)):
        exe = os.path.join(tmp, f"snippet{n}")
        libdir = os.path.dirname(os.path.abspath(library))
        build = subprocess.run(cc + flags + [src, "-o", exe,
                                             os.path.abspath(library),
                                             "-Wl,-rpath," + libdir,
                                             "-lm", "-pthread"],
                               capture_output=True, text=True)
        return None if build.returncode == 0 else \
            "does not compile:\n" + build.stdout + build.stderr
    if not whole and not HAS_MAIN.search(code):
        build = subprocess.run(cc + flags + ["-c", "-o", os.devnull, src],
                               capture_output=True, text=True)
        return None if build.returncode == 0 else \
            "does not compile:\n" + build.stdout + build.stderr
    out, why = compile_and_run(src, os.path.join(tmp, f"snippet{n}"),
                               include, library, sanitize, cc)
    LAST_OUTPUT[path] = out
    return why


# What the latest whole program of each page printed, for a trace marked
# `<!-- output: above -->`.
LAST_OUTPUT = {}


def main(argv):
    if len(argv) < 6:
        print(__doc__)
        return 2
    root, include, library, sanitize, cc = argv[1], argv[2], argv[3], \
        argv[4], argv[5:]
    lesson_pages = sorted(glob.glob(os.path.join(root, "lessons", "*",
                                                 "README.md")))
    pages = lesson_pages + sorted(glob.glob(os.path.join(root, "docs",
                                                         "*.md")))
    pages.append(os.path.join(root, "README.md"))
    headers = [os.path.join(include, "coflow.h")] + sorted(
        glob.glob(os.path.join(include, "coflow", "*.h")))
    failed = total = ran = shown = traced = hdr_blocks = hdr_ran = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in lesson_pages:
            rel = os.path.relpath(path, root)
            if not re.match(r"^\d\d-", os.path.basename(os.path.dirname(path))):
                continue
            total += 1
            why = check_summary(path)
            if why:
                failed += 1
                print(f"FAIL {rel} {why}")
        for path in pages:
            rel = os.path.relpath(path, root)
            is_root_readme = rel == "README.md"
            for lang, line, code, marker in fenced_blocks(path):
                kind = marker[0] if marker else None
                if kind == "snippet" and lang == "c":
                    total += 1
                    shown += 1
                    why = check_snippet(path, code, marker[1])
                elif kind == "output":
                    total += 1
                    traced += 1
                    why = check_output(path, code, marker[1], tmp, total,
                                       include, library, sanitize, cc)
                elif lang == "c" and not is_root_readme:
                    total += 1
                    ran += bool(HAS_MAIN.search(code))
                    why = check((line, code), path, rel, tmp, total, include,
                                library, sanitize, cc)
                else:
                    continue
                if why:
                    failed += 1
                    print(f"FAIL {rel}, the ```{lang} block at line {line}: "
                          f"{why}")
                else:
                    print(f"ok   {rel}:{line}")
        for path in headers:
            rel = os.path.relpath(path, root)
            for block in header_blocks(path):
                total += 1
                hdr_blocks += 1
                runs = bool(HAS_MAIN.search(block[1]) or
                            wrap_fragment(*block, rel)) and \
                    not COMPILE_ONLY.search(block[1])
                ran += runs
                hdr_ran += runs
                why = check(block, path, rel, tmp, total, include, library,
                            sanitize, cc, fragments=True)
                if why:
                    failed += 1
                    print(f"FAIL {rel}, the @code block at line {block[0]}: "
                          f"{why}")
                else:
                    print(f"ok   {rel}:{block[0]} (@code)")
    if total == 0:
        print("no ```c block found: this test would prove nothing")
        return 1
    print(f"{total - failed} of {total} checks pass ({ran} whole programs "
          f"run, {shown} blocks shown from files, {traced} traces compared "
          f"with real output; {hdr_blocks} header examples compiled, "
          f"{hdr_ran} of them run)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
