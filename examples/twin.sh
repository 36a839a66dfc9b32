#!/bin/sh
# twin.sh - runs an example program and its Python twin and compares what
# each prints with the expected output. The places where a description
# names a source file (" at FILE:LINE") are left out of the comparison,
# since the C program and its twin are different files. The twin is
# skipped when no CPython 3.11 or later is found.
# usage: twin.sh PROGRAM TWIN.py EXPECTED_FILE
set -eu
norm() { sed 's/ at [^ >]*:[0-9][0-9]*/ at FILE:LINE/g'; }
want=$(norm < "$3")
out=$("$1") || { echo "$1 exited with status $?" >&2; exit 1; }
got=$(printf '%s\n' "$out" | norm)
if [ "$got" != "$want" ]; then
    printf 'unexpected output from %s\n--- expected\n%s\n--- got\n%s\n' \
        "$1" "$want" "$got" >&2
    exit 1
fi
printf '%s\n' "$out"
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
then
    py=$(python3 "$2") || { echo "$2 exited with status $?" >&2; exit 1; }
    py=$(printf '%s\n' "$py" | norm)
    if [ "$py" != "$want" ]; then
        printf 'the Python twin %s disagrees\n--- expected\n%s\n--- got\n%s\n' \
            "$2" "$want" "$py" >&2
        exit 1
    fi
    echo "(the Python twin prints the same)"
fi
