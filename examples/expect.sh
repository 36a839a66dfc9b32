#!/bin/sh
# expect.sh - runs an example program and compares what it prints with the
# expected output, leaving out the "[1.0 s] " clock stamps at line starts
# (the order of the lines is what must not change).
# usage: expect.sh PROGRAM EXPECTED_FILE
set -eu
out=$("$1") || { echo "$1 exited with status $?" >&2; exit 1; }
got=$(printf '%s\n' "$out" | sed 's/^\[[0-9.]* s\] //')
want=$(cat "$2")
if [ "$got" != "$want" ]; then
    printf 'unexpected output from %s\n--- expected\n%s\n--- got\n%s\n' \
        "$1" "$want" "$out" >&2
    exit 1
fi
printf '%s\n' "$out"
