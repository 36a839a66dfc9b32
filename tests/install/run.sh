#!/bin/sh
# run.sh - installs coflow into a scratch directory (meson install --destdir)
# and builds and runs outside.c against it, the way a user of the installed
# library would: with `pkg-config --cflags --libs coflow` and nothing else.
#
# usage: run.sh BUILD_DIR OUTSIDE_C SANITIZE MESON CC [CC_ARGS...]
#   SANITIZE is the build's b_sanitize value ("none" or e.g.
#   "address,undefined"); a sanitized libcoflow needs a sanitized program.
#
# Exits 0 on success, 77 (skipped) if pkg-config or the C compiler is
# missing, and 1 with a message naming the step that failed otherwise.
set -eu

if [ "$#" -lt 5 ]; then
    echo "usage: $0 BUILD_DIR OUTSIDE_C SANITIZE MESON CC [CC_ARGS...]" >&2
    exit 1
fi
build_dir=$1
outside_c=$2
sanitize=$3
meson=$4
shift 4
# "$@" is now the C compiler command.

fail() {
    echo "install test FAILED: $*" >&2
    exit 1
}

if ! command -v pkg-config >/dev/null 2>&1; then
    echo "pkg-config not found: skipping the install test"
    exit 77
fi
if ! command -v "$1" >/dev/null 2>&1; then
    echo "C compiler '$1' not found: skipping the install test"
    exit 77
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/coflow-install.XXXXXX") ||
    fail "could not make a scratch directory"
trap 'rm -rf "$scratch"' EXIT INT TERM
destdir=$scratch/root

echo "== meson install --destdir $destdir"
"$meson" install -C "$build_dir" --no-rebuild --quiet --destdir "$destdir" ||
    fail "meson install"

pc=$(find "$destdir" -name coflow.pc | head -n 1)
[ -n "$pc" ] || fail "no coflow.pc was installed"
lib=$(find "$destdir" -name 'libcoflow.so*' | head -n 1)
[ -n "$lib" ] || fail "no libcoflow.so was installed"
echo "installed: $pc"
echo "installed: $lib"

# The .pc file names the final prefix (/usr/local/...); PKG_CONFIG_SYSROOT_DIR
# puts the scratch root in front of its -I and -L paths. The two ALLOW
# variables keep those paths even when the prefix is a system one (/usr).
# Nothing from the source or build tree may leak in: the compiler's own
# search-path variables are cleared too.
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$destdir
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_ALLOW_SYSTEM_CFLAGS \
    PKG_CONFIG_ALLOW_SYSTEM_LIBS
unset CPATH C_INCLUDE_PATH LIBRARY_PATH 2>/dev/null || true

flags=$(pkg-config --cflags --libs coflow) || fail "pkg-config --cflags --libs coflow"
echo "pkg-config --cflags --libs coflow: $flags"

san=
if [ "$sanitize" != none ] && [ -n "$sanitize" ]; then
    san="-fsanitize=$sanitize"
fi

echo "== compile outside.c"
cp "$outside_c" "$scratch/outside.c"
# shellcheck disable=SC2086 # $flags and $san are lists of words
"$@" -std=c11 -Wall -Wextra -Wpedantic -Werror $san \
    -o "$scratch/outside" "$scratch/outside.c" $flags ||
    fail "compiling outside.c with the installed headers and library"

echo "== run outside"
LD_LIBRARY_PATH=$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
"$scratch/outside" >"$scratch/out.txt" ||
    fail "outside exited with status $? (output: $(cat "$scratch/out.txt"))"
cat "$scratch/out.txt"

# The program checks its results itself; check what it said, too.
printf 'loop: 3\nco_run: 42\n' >"$scratch/expected.txt"
cmp -s "$scratch/expected.txt" "$scratch/out.txt" ||
    fail "outside printed the wrong output; expected:
$(cat "$scratch/expected.txt")"

# It must have used the installed library, not one from the build tree.
if command -v ldd >/dev/null 2>&1; then
    used=$(ldd "$scratch/outside" | grep libcoflow || true)
    case $used in
    *"$destdir"*) echo "linked: $used" ;;
    *) fail "outside did not load the installed libcoflow: $used" ;;
    esac
fi
echo "install test passed"
