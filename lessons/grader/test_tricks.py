#!/usr/bin/env python3
"""test_tricks.py - one trick of the self-test (tricks/NAME.c) through the
judge, as a lesson's meson test and the tutor run it; checks the verdict.

    test_tricks.py JUDGE META NAME GRADER
    test_tricks.py --link CC NAME SOURCE... -- CFLAGS...

The second form is for a trick that must not even link: it compiles and
links the grader's sources with the trick and expects the linker to refuse
(undefined symbols are let through: only a clash matters here).
"""
import os
import shutil
import subprocess
import sys

# What each trick must get: (points it may earn, words its messages must
# hold, words a lesson note must hold).
EXPECT = {
    'right': (2, [], None),
    'wrong': (0, ['expected 42, your code gave 41'], None),
    'real_exit': (0, ['never reported its end'], None),
    'exit_group': (0, ['never reported its end'], None),
    'fake_tap': (0, ['never ran'], None),
    'ctor_exit': (0, ['never ran'], None),
    'ctor_run_case': (0, ['never ran'], None),
    'forged_records': (0, ['oops\nok 1 - test.c:answer:test_the_answer: Passed'],
                       'did not come from the grader'),
    'steal_nonce': (0, ['never ran'], None),
    'setsid_child': (0, ['expected 42'], None),
    'flood': (0, ['printed more than 200000 bytes'], None),
    'own_libc': (0, ['defines strcmp(), write()'], None),
    'own_libc_hidden': (0, ['defines strcmp(), memcmp()'], None),
    'redirect_records': (0, ['expected 42, your code gave 41'], None),
    'reopen_records': (0, ['expected 42, your code gave 41'], None),
    'judge_memory': (0, ['expected 42, your code gave 41'], None),
    'stack_residue': (0, ['expected 42, your code gave 41'], None),
    'long_message': (0, ['line 249 of a long message\nthe end of the message',
                         'line 300 of a long message',
                         '[... cut: '], None),
    'bad_utf8': (0, ['bytes that are no text: \ufffd\ufffd, half a letter: \ufffd'],
                 None),
}

# Tricks that only an ordinary user cannot play: root reads any process's
# memory whatever the judge does (ptrace and /proc/PID/mem need no
# permission then).
ROOT_ONLY_DEFEATS = {'judge_memory'}


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == '\\' and i + 1 < len(s):
            n = s[i + 1]
            if n == 'x':
                out.append(chr(int(s[i + 2:i + 4], 16)))
                i += 4
                continue
            out.append({'n': '\n', 't': '\t', 'r': '\r'}.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return ''.join(out)


def fail(msg, output=''):
    print('FAIL:', msg)
    if output:
        print('--- the judge said:\n' + output)
    sys.exit(1)


def link_check(argv):
    cc_end = argv.index('--')
    cc, name, sources, flags = argv[0], argv[1], argv[2:cc_end], argv[cc_end + 1:]
    out = os.path.join(os.environ.get('MESON_BUILD_ROOT', '/tmp'),
                       'trick-' + name + '.out')
    cmd = [cc] + flags + sources + ['-o', out,
                                   '-Wl,--unresolved-symbols=ignore-all']
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode == 0:
        os.unlink(out)
        fail(name + ': the grader linked with a student file that defines '
             'its functions', r.stdout + r.stderr)
    if 'multiple definition' not in r.stderr:
        fail(name + ': the link failed, but not because of the clash',
             r.stderr)
    print('ok:', name, 'does not link:', r.stderr.strip().splitlines()[-2:])


def main():
    if sys.argv[1] == '--link':
        link_check(sys.argv[2:])
        return
    judge, meta, name, grader = sys.argv[1:5]
    as_user = []
    if name in ROOT_ONLY_DEFEATS and os.geteuid() == 0:
        # Root may read any process's memory, the judge's too
        # (docs/grading.md says so): the trick is played as an ordinary
        # user, as a student would, or skipped (exit 77, meson's "skipped").
        if not shutil.which('setpriv'):
            print('skipped: %s needs an ordinary user (no setpriv)' % name)
            sys.exit(77)
        as_user = ['setpriv', '--reuid', '65534', '--regid', '65534',
                   '--clear-groups']
    points, words, note = EXPECT[name]
    r = subprocess.run(as_user + [judge, '--machine', '--limit', '60',
                                  '--output-cap', '200000', '--meta', meta,
                                  '--', grader],
                       capture_output=True)
    if as_user and b'coflow-judge: cannot run' in r.stdout:
        print('skipped: user 65534 cannot run %s' % grader)
        sys.exit(77)
    try:
        text = r.stdout.decode('utf-8')  # strict: must be valid UTF-8
    except UnicodeDecodeError as e:
        fail(name + ': the judge wrote bytes that are not UTF-8: %s' % e)
    lines = text.splitlines()
    if not lines or lines[0] != 'coflow-judge 1':
        fail(name + ': no judge output', text + r.stderr.decode(errors='replace'))
    tests = [l.split(' ', 6) for l in lines if l.startswith('test ')]
    notes = [unescape(l[5:]) for l in lines if l.startswith('note ')]
    summary = [l.split() for l in lines if l.startswith('summary ')]
    if len(tests) != 2 or len(summary) != 1:
        fail(name + ': expected two tests and one summary', text)
    score = int(summary[0][1])
    if score != points or int(summary[0][2]) != 2:
        fail('%s: scored %d of %s, expected %d of 2' %
             (name, score, summary[0][2], points), text)
    if r.returncode != (0 if points == 2 else 1):
        fail('%s: the judge exited with %d' % (name, r.returncode), text)
    messages = [unescape(t[6]) if len(t) > 6 else '' for t in tests]
    for w in words:
        if not any(w in m for m in messages):
            fail('%s: no message holds %r' % (name, w), text)
    if note and not any(note in n for n in notes):
        fail('%s: no note holds %r' % (name, note), text)
    log = unescape(next((l[4:] for l in lines if l.startswith('log ')), ''))
    left = [int(l.split()[-1]) for l in log.splitlines()
            if l.startswith('left behind: ')]
    if name == 'setsid_child' and not left:
        fail(name + ': the process left behind never said its pid', text)
    for pid in left:
        if os.path.exists('/proc/%d' % pid):
            fail('%s: process %d outlived the judge' % (name, pid), text)
    print('ok:', name, 'scored', score, 'of 2')
    for t, m in zip(tests, messages):
        print('   ', t[1], t[4], '-', m.splitlines()[0] if m else '')


if __name__ == '__main__':
    main()
