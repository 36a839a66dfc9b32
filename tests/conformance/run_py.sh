#!/bin/sh
# run_py.sh SCENARIO.py SCENARIO.expected - keeps the oracle honest: runs a
# scenario's CPython twin and checks that it still prints the expected trace.
# Exit 77 (meson's "skipped") when no python3 of version 3.11 or later is
# found; $PYTHON overrides the interpreter. With COFLOW_CLOCK=virtual (as
# meson runs it, like the C twin) the scenario's loops run on virtual time
# (virtual_clock.py), so its trace cannot depend on how late a busy machine
# wakes the loop.
py=${PYTHON:-python3}
command -v "$py" >/dev/null 2>&1 || { echo "no $py: skipped"; exit 77; }
"$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null ||
    { echo "$py is older than 3.11: skipped"; exit 77; }
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT
# -X dev would add warnings to stderr only; stdout is the trace.
clock=
[ "${COFLOW_CLOCK:-}" = virtual ] && clock="$(dirname "$0")/virtual_clock.py"
PYTHONHASHSEED=0 "$py" ${clock:+"$clock"} "$1" >"$out" ||
    { echo "$1 failed"; cat "$out"; exit 1; }
if cmp -s "$2" "$out"; then
    echo "$(wc -l <"$out") events, as expected"
    exit 0
fi
echo "CPython's trace differs from $2:"
if command -v diff >/dev/null 2>&1; then
    diff -u "$2" "$out"
else
    cat "$out"
fi
exit 1
