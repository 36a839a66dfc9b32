#!/bin/sh
# readme-snippet.sh - checks that the C block in README.md that follows the
# line "<!-- snippet: examples/taste.c -->" is exactly examples/taste.c, so
# the code a reader sees is the code that is compiled and tested.
# usage: readme-snippet.sh README.md taste.c
set -eu
snippet=$(awk '
    /^<!-- snippet: examples\/taste\.c -->$/ { armed = 1; next }
    armed && /^```c$/ { inside = 1; armed = 0; next }
    inside && /^```$/ { exit }
    inside { print }
' "$1")
if [ -z "$snippet" ]; then
    echo "README.md has no C block after <!-- snippet: examples/taste.c -->" >&2
    exit 1
fi
if [ "$snippet" != "$(cat "$2")" ]; then
    echo "the snippet in README.md differs from examples/taste.c:" >&2
    printf '%s\n' "$snippet" | diff -u "$2" - >&2 || true
    exit 1
fi
echo "README.md shows examples/taste.c as it is"
