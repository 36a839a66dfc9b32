#!/usr/bin/env python3
"""test_workflow.py - replays the exported classroom.yml on a fresh export,
step by step, as GitHub Actions would run it, and reads the points the way
GitHub Classroom's grading reporter does; then grades the same copy with
`coflow grade`, which must give the same points.

    test_workflow.py TUTOR SOURCE_ROOT

The run: steps run as written, in order, with bash -e in the export and
GITHUB_OUTPUT set; a step's outputs feed the ${{ steps.ID.outputs.NAME }}
expressions of later ones. The install step is not run (no network, no
root needed here): its packages must be installed already. Of the uses:
steps, checkout is the export itself, and the reporter is read as its
source reads its input: for each runner, the variable RUNNER_RESULTS,
base64 of a JSON result; points are the sum of tests[].score over the sum
of max_score. The replay runs twice: on the copy as handed out (it must
score 0 of lesson.meta's points) and with one lesson solved (it must score
that lesson's points), and each time the points must be those of
report.json."""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # 77: meson counts the test as skipped, not passed
    print('SKIP: PyYAML is not installed (Debian: apt-get install '
          'python3-yaml)')
    sys.exit(77)


def fail(msg):
    print('FAIL:', msg)
    sys.exit(1)


def meta_points(path):
    total = 0
    for line in open(path):
        m = re.match(r'\s*test\s*=\s*(\w+)\s+(\d+)', line)
        if m:
            total += int(m.group(2))
    return total


def expand(text, outputs):
    def one(m):
        step, name = m.group(1), m.group(2)
        return outputs.get(step, {}).get(name, '')
    return re.sub(r'\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}', one,
                  str(text))


def replay(copy, wf):
    """Runs the job's steps; returns the reporter's (total, max) and the
    report.json the Grade step wrote."""
    job = wf['jobs']['grade']
    outputs = {}
    reported = None
    env_base = dict(os.environ)
    env_base.pop('LD_LIBRARY_PATH', None)  # meson test's, not the copy's
    for step in job['steps']:
        name = step.get('name', step.get('uses', '?'))
        if 'run' in step:
            cmd = step['run']
            if cmd.lstrip().startswith('apt-get'):
                pkgs = [w for w in cmd.split('install', 1)[1].split()
                        if not w.startswith('-')]
                for p in pkgs:
                    r = subprocess.run(['dpkg', '-s', p], capture_output=True)
                    if r.returncode != 0:
                        fail('%s: package %s is not installed here' % (name, p))
                continue
            out_file = os.path.join(copy, '.github-output')
            open(out_file, 'w').close()
            env = dict(env_base, GITHUB_OUTPUT=out_file)
            for k, v in (step.get('env') or {}).items():
                env[k] = expand(v, outputs)
            r = subprocess.run(['bash', '--noprofile', '--norc', '-eo',
                                'pipefail', '-c', expand(cmd, outputs)],
                               cwd=copy, env=env, capture_output=True,
                               text=True)
            if r.returncode != 0:
                fail('step "%s" failed:\n%s%s' % (name, r.stdout[-3000:],
                                                  r.stderr[-3000:]))
            if 'id' in step:
                got = {}
                for line in open(out_file):
                    if '=' in line:
                        k, v = line.rstrip('\n').split('=', 1)
                        got[k] = v
                outputs[step['id']] = got
            os.unlink(out_file)
        elif step['uses'].startswith('actions/checkout@'):
            continue
        elif step['uses'].startswith(
                'classroom-resources/autograding-grading-reporter@'):
            env = {k: expand(v, outputs) for k, v in step['env'].items()}
            runners = [x for x in re.split(r'[\s,]', step['with']['runners'])
                       if x]
            if not runners or not all(re.fullmatch('[a-zA-Z0-9]+', x)
                                      for x in runners):
                fail('the reporter refuses runners %r' % runners)
            total = maximum = 0
            for runner in runners:
                encoded = env.get(runner.upper() + '_RESULTS')
                if not encoded:
                    fail('the reporter finds no %s_RESULTS' % runner.upper())
                result = json.loads(base64.b64decode(encoded).decode('utf-8'))
                if result.get('version') != 1 or 'status' not in result:
                    fail('not a result the reporter reads: %r' % result)
                if result.get('max_score'):
                    maximum += result['max_score']
                    total += sum(t['score'] for t in result['tests'])
            reported = (total, maximum)
        elif step['uses'].startswith('actions/upload-artifact@'):
            path = os.path.join(copy, step['with']['path'])
            if not os.path.isdir(path):
                fail('nothing to upload at %s' % path)
        else:
            fail('a step this replay does not know: %s' % step['uses'])
    if reported is None:
        fail('the workflow never reports to GitHub Classroom')
    report = json.load(open(os.path.join(copy, 'grades', 'report.json')))
    return reported, report


def main():
    tutor, src = sys.argv[1], sys.argv[2]
    lessons_dir = os.path.join(src, 'lessons')
    if not any(os.path.exists(os.path.join(lessons_dir, d, 'solution.c'))
               for d in os.listdir(lessons_dir)):
        print('no solutions here (a student copy): nothing to replay with')
        sys.exit(77)
    work = tempfile.mkdtemp(prefix='coflow-workflow-')
    try:
        copy = os.path.join(work, 'student')
        subprocess.run([tutor, 'export', copy], check=True,
                       stdout=subprocess.DEVNULL)
        git = ['git', '-C', copy, '-c', 'user.name=t',
               '-c', 'user.email=t@example.org']
        subprocess.run(git[:3] + ['init', '-q'], check=True)
        subprocess.run(git + ['add', '-A'], check=True)
        subprocess.run(git + ['commit', '-q', '-m', 'handout'], check=True)
        wf = yaml.safe_load(open(os.path.join(copy, '.github', 'workflows',
                                              'classroom.yml')))
        if wf['permissions'] != {'checks': 'write', 'actions': 'read',
                                 'contents': 'read'}:
            fail('permissions: %r' % wf['permissions'])
        lessons = sorted(d for d in os.listdir(os.path.join(copy, 'lessons'))
                         if re.match(r'\d\d-', d))
        maximum = sum(meta_points(os.path.join(copy, 'lessons', d,
                                               'lesson.meta'))
                      for d in lessons)

        (total, most), report = replay(copy, wf)
        print('as handed out: Points %d/%d' % (total, most))
        if (total, most) != (0, maximum):
            fail('as handed out, the reporter reads %d/%d, expected 0/%d' %
                 (total, most, maximum))
        if (report['score'], report['max_score']) != (total, most):
            fail('report.json says %d/%d' % (report['score'],
                                             report['max_score']))

        first = lessons[0]
        shutil.copy(os.path.join(src, 'lessons', first, 'solution.c'),
                    os.path.join(copy, 'lessons', first, 'exercise.c'))
        subprocess.run(git + ['commit', '-q', '-am', 'lesson solved'],
                       check=True)
        solved = meta_points(os.path.join(copy, 'lessons', first,
                                          'lesson.meta'))
        (total, most), report = replay(copy, wf)
        print('with %s solved: Points %d/%d' % (first, total, most))
        if (total, most) != (solved, maximum):
            fail('with %s solved, the reporter reads %d/%d, expected %d/%d' %
                 (first, total, most, solved, maximum))
        if (report['score'], report['max_score']) != (total, most):
            fail('report.json says %d/%d' % (report['score'],
                                             report['max_score']))
        print('ok: the workflow builds, grades and reports what '
              'report.json says')

        # coflow grade: the same copy, and one whose owner rewrote lesson
        # 1's grader and points to pass everything, graded side by side
        # against the instructor's graders. The first must get what its
        # workflow reported; the second nothing, out of the real maximum.
        cheat = os.path.join(work, 'cheat')
        subprocess.run([tutor, 'export', cheat], check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(cheat, 'lessons', first, 'test.c'), 'w') as f:
            f.write('#include "grader.h"\n'
                    'Suite *lesson_suite(void) { return suite_create("x"); }\n')
        with open(os.path.join(cheat, 'lessons', first, 'lesson.meta'),
                  'a') as f:
            f.write('test = test_free_points 1000\n')
        book = os.path.join(work, 'book')
        r = subprocess.run([tutor, 'grade', '--out', book, '--jobs', '2',
                            copy, cheat], capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items()
                                if k != 'LD_LIBRARY_PATH'})
        if r.returncode != 0:
            fail('coflow grade: %s%s' % (r.stdout[-3000:], r.stderr[-3000:]))
        rows = json.load(open(os.path.join(book, 'gradebook.json')))
        csv = open(os.path.join(book, 'gradebook.csv')).read().splitlines()
        if csv[0] != 'student,lesson,points,max,graded' or \
                len(csv) != len(rows) + 1:
            fail('gradebook.csv: %r' % csv[:3])
        points = {}
        for row in rows:
            got = points.setdefault(row['student'], [0, 0])
            got[0] += row['points']
            got[1] += row['max']
        print('coflow grade:', points)
        if points.get('student') != [total, most]:
            fail('coflow grade gave the copy %r, its workflow %d/%d' %
                 (points.get('student'), total, most))
        if points.get('cheat') != [0, maximum]:
            fail('coflow grade gave the rewritten grader %r, expected 0/%d' %
                 (points.get('cheat'), maximum))
        if not os.path.exists(os.path.join(book, 'student', 'report.junit.xml')):
            fail('no report for the student')
        print('ok: coflow grade gives what the workflow gave, and ignores '
              'the student\'s graders')
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
