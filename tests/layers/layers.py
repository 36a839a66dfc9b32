#!/usr/bin/env python3
"""Checks that lib/src is layered: every file uses only files of its own
layer or of the layers below it, never one above.

Usage: layers.py LIB_SRC_DIR

A file "uses" another when it #includes it, or when it names a function
(or a variable) that the other defines: a call, or a function handed on as
a pointer. The layers are listed below, bottom first, as docs/internals.md
describes them; a source file that is in no layer is an error too, so a new
file has to be placed before it builds green.
"""
import re
import sys
from pathlib import Path

LAYERS = [
    ("base", ["base.h", "error.c"]),
    ("coroutines", ["coro_internal.h", "coro.c"]),
    ("backend and doorbell", ["backend.h", "backend_select.c",
                              "backend_poll.c", "backend_epoll.c",
                              "wakeup.h", "wakeup.c"]),
    ("loop", ["loop_internal.h", "loop.c", "timer.c", "io.c"]),
    ("future", ["future_internal.h", "future.c"]),
    ("task", ["task_internal.h", "task.c", "await.c"]),
    ("combinators", ["combinator.h", "combinator.c", "gather.c", "wait.c",
                     "wait_for.c", "shield.c", "as_completed.c",
                     "timeout.c", "taskgroup.c"]),
    ("primitives", ["waitq.h", "waitq.c", "locks.c", "queue.c", "aiter.c",
                    "acm.c"]),
    ("threads", ["threads_internal.h", "threads.c", "concurrent.c",
                 "executor.c", "process_pool.c", "signals.c"]),
    ("debug", ["debug_internal.h", "debug.c", "timeline.c",
               "timeline_svg.c"]),
    ("runner", ["runner.c"]),
    ("streams", ["streams_internal.h", "tls.c", "streams.c"]),
    ("http", ["url.c", "http_parse.c", "http.c"]),
]

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
STRING = re.compile(r'"(?:\\.|[^"\\\n])*"' + r"|'(?:\\.|[^'\\\n])*'")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
NAME = re.compile(r"\bco_\w+")
# A definition at file scope: a line that starts a declaration (not
# indented, not static), names co_something( or co_something = / [ and
# is followed by a body or an initialiser rather than ending at ';'.
DEFINITION = re.compile(r"^(?!static\b|extern\b|typedef\b|#)[A-Za-z_][^\n;]*?"
                        r"\b(co_\w+)\s*(?:\(|=|\[)", re.M)


def strip(text):
    text = COMMENT.sub(" ", text)
    return STRING.sub('""', text)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: layers.py LIB_SRC_DIR")
    src = Path(sys.argv[1])
    layer_of = {}
    for rank, (_, files) in enumerate(LAYERS):
        for f in files:
            layer_of[f] = rank
    problems = []
    files = sorted(p.name for p in src.iterdir()
                   if p.suffix in (".c", ".h"))
    for f in files:
        if f not in layer_of:
            problems.append(f"{f} is in no layer: add it to LAYERS in "
                            f"tests/layers/layers.py (and docs/internals.md)")
    for f in layer_of:
        if f not in files:
            problems.append(f"{f} is listed in a layer but does not exist")

    texts = {f: strip((src / f).read_text()) for f in files}
    defined_in = {}
    for f, text in texts.items():
        if not f.endswith(".c"):
            continue
        for m in DEFINITION.finditer(text):
            # A prototype ends at ';' before any '{' or '='.
            rest = text[m.end(1):]
            semi, brace = rest.find(";"), rest.find("{")
            is_def = "=" in rest[:semi] if semi >= 0 else True
            if brace >= 0 and (semi < 0 or brace < semi):
                is_def = True
            if is_def:
                defined_in.setdefault(m.group(1), f)

    edges = 0
    for f, text in texts.items():
        if f not in layer_of:
            continue
        uses = {}
        for inc in INCLUDE.findall(text):
            if inc in layer_of:
                uses.setdefault(inc, f"#include \"{inc}\"")
        for name in set(NAME.findall(text)):
            owner = defined_in.get(name)
            if owner and owner != f:
                uses.setdefault(owner, name)
        for other, why in sorted(uses.items()):
            edges += 1
            if layer_of[other] > layer_of[f]:
                problems.append(
                    f"{f} (layer '{LAYERS[layer_of[f]][0]}') uses {other} "
                    f"(layer '{LAYERS[layer_of[other]][0]}', above it): "
                    f"{why}")
    for p in problems:
        print("layers:", p)
    print(f"layers: {len(files)} files in {len(LAYERS)} layers, "
          f"{edges} dependencies, {len(problems)} pointing the wrong way")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
