#!/bin/sh
# test_cli.sh - the tutor end to end, as an instructor and a student use it:
# export a student copy, build it, grade it, take hints, watch a file being
# saved, reset, report; and check that exit(0), a crash or an endless loop
# in student code is a failure, never a pass or a hang.
#   usage: test_cli.sh TUTOR SOURCE_ROOT
set -eu
tutor=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # usable from any folder
src=$2
# meson points LD_LIBRARY_PATH at this build's library (a sanitizer build's,
# maybe); the student copy is a build of its own and finds its own library.
unset LD_LIBRARY_PATH
work=$(mktemp -d)
watch_pid=
cleanup() {
    [ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    for f in "$work"/*.log; do
        [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
    done
    exit 1
}
step() { echo "== $*"; }
# A student's copy has no solutions to check the tutor with.
ls "$src"/lessons/*/solution.c >/dev/null 2>&1 || { echo "no solutions here (a student copy)"; exit 77; }
# Reads watch's output line by line from its pipe (fd 4), keeping a copy in
# watch.log, until a line matches one of the case patterns given. Nothing
# here depends on timing: a read waits for watch to write, and meson's
# timeout is the only clock.
wait_for() {
    while IFS= read -r line <&4; do
        printf '%s\n' "$line" >>"$work/watch.log"
        for pattern in "$@"; do
            case "$line" in *$pattern*) return 0 ;; esac
        done
    done
    return 1
}

step "--help anywhere shows the usage and does nothing else"
(cd "$work" && "$tutor" export --help >"$work/help.log" 2>&1) || fail "export --help failed"
grep -q "usage:" "$work/help.log" || fail "export --help shows no usage"
[ -e "$work/--help" ] && fail "export --help exported into a folder named --help"
(cd "$work" && "$tutor" export -x >"$work/dash.log" 2>&1) && fail "export took an option for a folder"
[ -e "$work/-x" ] && fail "export wrote into a folder named -x"

step "export writes a student copy without solutions"
"$tutor" export "$work/student" >"$work/export.log" 2>&1 || fail "export failed"

# The exported lessons whose solution the source tree has.
lessons=
for d in "$work"/student/lessons/[0-9][0-9]-*/; do
    l=$(basename "$d")
    [ -f "$d/exercise.c" ] && [ -f "$src/lessons/$l/solution.c" ] && lessons="$lessons $l"
done
[ -n "$lessons" ] || { echo "no lessons with exercises yet"; exit 77; }
first=$(echo $lessons | cut -d' ' -f1)
n=$(echo "$first" | cut -c1-2 | sed 's/^0//')
nn=$(echo "$first" | cut -c1-2)
[ -f "$work/student/.github/workflows/classroom.yml" ] || fail "no workflow"
[ -f "$work/student/lessons/$first/exercise.c" ] || fail "exercise missing"
if find "$work/student/lessons" -name solution.c | grep -q .; then
    fail "a solution was exported"
fi
[ -e "$work/student/.ci" ] && fail "the project's CI script was exported"
"$tutor" export "$work/student" >"$work/export2.log" 2>&1 && fail "export overwrote a non-empty folder"
# What a student reads: no solutions, no CI of the project (finding 12).
for word in solution .ci/run "suite solutions"; do
    grep -qi -- "$word" "$work/student/README.md" && fail "the student README mentions '$word'"
done
grep -q "build/coflow check" "$work/student/README.md" || fail "the student README does not say how to grade"
for ignored in /grades/ /.coflow/ "/build\*/"; do
    grep -qx -- "$ignored" "$work/student/.gitignore" || fail ".gitignore misses $ignored"
done
wf="$work/student/.github/workflows/classroom.yml"
for needed in "checks: write" "actions: read" "contents: read" "meson compile -C build" \
    "--github-output" "autograding-grading-reporter" "GRADE_RESULTS" "runners: grade"; do
    grep -q -- "$needed" "$wf" || fail "the workflow lacks '$needed'"
done
# The copy as GitHub Classroom makes it: one first commit, the handout.
git -C "$work/student" init -q
git -C "$work/student" add -A
git -C "$work/student" -c user.name=t -c user.email=t@example.org commit -q -m handout

step "the student copy builds"
meson setup "$work/build" "$work/student" -Dtests=false >"$work/setup.log" 2>&1 ||
    fail "meson setup of the student copy"
ninja -C "$work/build" >"$work/build.log" 2>&1 || fail "the student copy does not build"
st="$work/build/coflow"
# The copy's own tests of its README and examples pass as handed out.
meson test -C "$work/build" --suite examples >"$work/examples.log" 2>&1 ||
    fail "the student copy's examples suite fails"
export NO_COLOR=1 COFLOW_GRADE_LIMIT=20

step "run N --timeline draws the example's timeline and says where"
"$st" run "$n" --timeline >"$work/timeline.log" 2>&1 || fail "run --timeline failed"
pic="$work/build/lessons/lesson-$nn-run-timeline.svg"
grep -qF "$pic" "$work/timeline.log" || fail "run --timeline does not say where the picture is"
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$pic" ||
    fail "the timeline is not well-formed SVG"

step "export takes the exercises as committed, not as edited"
probe="$work/student/lessons/$first/exercise.c"
cp "$probe" "$work/committed.c"
cp "$src/lessons/$first/solution.c" "$probe"
"$st" export "$work/student2" >"$work/export3.log" 2>&1 || fail "export from a student copy"
cmp -s "$work/student2/lessons/$first/exercise.c" "$work/committed.c" ||
    fail "export handed out an edited (solved) exercise"
grep -q "changed since the last commit" "$work/export3.log" || fail "export does not mention the changes left out"
cp "$work/committed.c" "$probe"
rm -rf "$work/student2"

step "status shows where a new student is"
"$st" >"$work/status.log" 2>&1 || fail "status"
grep -q "0 of" "$work/status.log" || fail "status does not say 0 done"
grep -q "check $n" "$work/status.log" || fail "status does not say what to type"

step "every shipped exercise fails, and the report says so"
"$st" check "$n" >"$work/check.log" 2>&1 && fail "lesson $n passes as shipped"
grep -q "FAIL" "$work/check.log" || fail "no failing test shown"
# The summary first, then the first failure, all on one screen, and the
# commands as the student types them (finding 11).
sed -n 2p "$work/check.log" | grep -q "^Lesson $n: [0-9]* of [0-9]* tests pass (0 of [0-9]* points)" ||
    fail "check does not start with the summary"
sed -n 4p "$work/check.log" | grep -q "FAIL .*(the first failure" ||
    fail "check does not show the first failure first"
[ "$(wc -l <"$work/check.log")" -le 40 ] || fail "check prints more than a 40-line screen"
grep -qF "\`$st hint $n\`" "$work/check.log" || fail "check does not name the command as typed"
"$st" report --out "$work/r1" >"$work/report1.log" 2>&1 && fail "report passed"
grep -q '"status": "fail"' "$work/r1/report.json" || fail "json status"
# An untouched copy scores nothing, out of lesson.meta's points (finding 9).
grep -q '^  "score": 0,$' "$work/r1/report.json" || fail "an untouched copy scores points"
max=$(cat "$work"/student/lessons/*/lesson.meta | awk '$1 == "test" { s += $4 } END { print s }')
grep -q "^  \"max_score\": $max,\$" "$work/r1/report.json" || fail "max_score is not lesson.meta's $max"
"$st" report --solutions --out "$work/rs" >"$work/reports.log" 2>&1 && fail "report --solutions in a student copy"
grep -q "no reference solutions" "$work/reports.log" || fail "report --solutions does not say why it refuses"
grep -q "^0 of" "$work/report1.log" || fail "some shipped exercise passes"
[ -s "$work/r1/report.junit.xml" ] && [ -s "$work/r1/report.tap" ] || fail "reports"
"$st" report --out "$work/r2" --exit-zero >"$work/report2.log" 2>&1 || fail "--exit-zero"

step "hints come one at a time and are remembered"
"$st" hint "$n" >"$work/hint1.log" 2>&1 || fail "hint"
grep -q "Hint 1 of" "$work/hint1.log" || fail "first hint"
grep -q "Hint 2 of" "$work/hint1.log" && fail "two hints at once"
"$st" hint "$n" >"$work/hint2.log" 2>&1
grep -q "Hint 2 of" "$work/hint2.log" || fail "second hint not remembered"
"$st" solution "$n" >"$work/sol.log" 2>&1 && fail "solution shown before passing"
# Progress is kept beside the lessons, not in build/ (finding 10).
grep -q "^hints $n 2" "$work/student/.coflow/progress" || fail "progress is not in .coflow/"
ls -a "$work/build" | grep -q coflow-progress && fail "progress was written in the build folder"

step "exit(0), a crash and an endless loop in student code all fail"
ex="$work/student/lessons/$first/exercise.c"
cp "$ex" "$work/pristine.c"
# Each is tried by the tutor and by meson test, which a CI that only runs
# `meson test` relies on (finding 5).
for body in "exit(0);" "_exit(0);" "raise(SIGSEGV);" "for (;;) { }" \
    "syscall(SYS_exit_group, 0);" "setenv(\"CK_RUN_CASE\", \"none\", 1);"; do
    cp "$work/pristine.c" "$ex"
    cat >>"$ex" <<EOC
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
long syscall(long number, ...);
int setenv(const char *name, const char *value, int overwrite);
__attribute__((constructor)) static void student_misbehaves(void) { $body }
EOC
    "$st" check "$n" >"$work/bad.log" 2>&1 && fail "'$body' passed the grader"
    grep -q "FAIL" "$work/bad.log" || fail "'$body': no clear message"
    meson test -C "$work/build" "lesson-$nn-exercise" >"$work/badm.log" 2>&1 &&
        fail "'$body' passed meson test"
done
cp "$work/pristine.c" "$ex"

step "a compile error is explained"
printf 'int student_typo(void) { return undeclared_thing; }\n' >>"$ex"
"$st" check "$n" >"$work/cc.log" 2>&1 && fail "broken code passed"
grep -q "does not compile" "$work/cc.log" || fail "no compile message"
grep -q "never declared" "$work/cc.log" || fail "'undeclared' is not explained"
# A lesson that does not compile is worth what lesson.meta says (finding 4).
"$st" report --out "$work/r4" --exit-zero >"$work/report4.log" 2>&1 || fail "report of a broken lesson"
grep -q "^  \"max_score\": $max,\$" "$work/r4/report.json" ||
    fail "a lesson that does not compile changed max_score"
grep -q "\"$first: test_[a-z_]*\", \"status\": \"error\", \"score\": 0" "$work/r4/report.json" ||
    fail "the broken lesson's tests are not errors"
cp "$work/pristine.c" "$ex"

step "watch grades on every save and waits for the student to move on"
# watch writes into a pipe that this script reads: no file to poll, and no
# race between watch creating its log and the test reading it.
mkfifo "$work/keys" "$work/watch.out"
exec 3<>"$work/keys"
# Enter, typed before watch starts: it is read while the first grading
# runs (watch reads keys only from its loop, which first turns then), and
# must not be lost: watch grades a second time without anything else.
printf '\n' >&3
"$st" watch "$n" <"$work/keys" >"$work/watch.out" 2>&1 &
watch_pid=$!
exec 4<"$work/watch.out"
wait_for "Grading lesson $n" || fail "watch does not say it is grading"
wait_for "tests pass" "FAIL" || fail "watch never graded"
wait_for "Grading lesson $n" || fail "watch lost the key pressed while grading"
wait_for "tests pass" "FAIL" || fail "watch never graded again"
cp "$src/lessons/$first/solution.c" "$ex"
wait_for "Lesson $n passes" || fail "watch missed the save"
printf 'q\n' >&3
cat <&4 >>"$work/watch.log"
wait "$watch_pid" || fail "watch did not quit cleanly"
watch_pid=
exec 3>&- 4<&-
"$st" >"$work/status2.log" 2>&1
grep -q "1 of" "$work/status2.log" || fail "progress not recorded by watch"
"$st" solution "$n" >"$work/sol2.log" 2>&1 || true
grep -q "no solutions" "$work/sol2.log" || fail "a student copy should say it has no solutions"

step "reset puts the exercise back"
"$st" reset "$n" >"$work/reset0.log" 2>&1 </dev/null && fail "reset without --yes and no terminal"
cp "$ex" "$work/before-reset.c"
# The student commits their work; reset still goes back to the handout,
# the repository's first commit, not to what they committed.
git -C "$work/student" -c user.name=t -c user.email=t@example.org commit -q -am "my work"
"$st" reset "$n" --yes >"$work/reset.log" 2>&1 || fail "reset"
cmp -s "$ex" "$work/pristine.c" || fail "reset did not restore the exercise"
cmp -s "$work/student/.coflow/backup/$first/exercise.c.1" "$work/before-reset.c" ||
    fail "reset kept no backup of the student's exercise"
grep -q "exercise.c.1" "$work/reset.log" || fail "reset does not say where the backup is"

step "with the solutions dropped back in, everything passes"
for l in $lessons; do
    cp "$src/lessons/$l/solution.c" "$work/student/lessons/$l/exercise.c"
done
"$st" report --out "$work/r3" >"$work/report3.log" 2>&1 || fail "solutions do not pass in the student copy"
grep -q '"status": "pass"' "$work/r3/report.json" || fail "json says fail"
# Without solutions there is no "must fail" contract: meson's own run of
# the graders calls a solved exercise a pass, not an unexpected pass.
meson test -C "$work/build" --suite lessons >"$work/mtest.log" 2>&1 ||
    fail "meson test calls solved exercises a failure in the student copy"
echo "all tutor checks passed"
