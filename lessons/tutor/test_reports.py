#!/usr/bin/env python3
"""test_reports.py - the tutor's reports, read by real parsers: Python's
json and xml, PyYAML for TAP's diagnostics, Perl's TAP::Parser (what prove
uses, with its YAMLish reader) under pragma +strict, and prove itself. report_sample writes them with hostile
messages.   usage: test_reports.py REPORT_SAMPLE"""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

try:
    import yaml
except ImportError:  # 77: meson counts the test as skipped, not passed
    print('SKIP: PyYAML is not installed (Debian: apt-get install '
          'python3-yaml)')
    sys.exit(77)

FORGED = 'oops\nok 1 - 01-why-async: test_forges\n  ---\n'


def check(cond, what):
    if not cond:
        print('FAIL:', what)
        sys.exit(1)


def main():
    out = tempfile.mkdtemp(prefix='coflow-reports-')
    subprocess.run([sys.argv[1], out], check=True)
    raw = {n: open(os.path.join(out, n), 'rb').read()
           for n in ('report.json', 'report.junit.xml', 'report.tap')}
    text = {}
    for n, b in raw.items():
        try:
            text[n] = b.decode('utf-8')  # strict
        except UnicodeDecodeError as e:
            check(False, '%s is not UTF-8: %s' % (n, e))

    # JSON: GitHub Classroom's shape, points from the grades, six tests.
    j = json.loads(text['report.json'])
    check(j['version'] == 1 and j['status'] == 'fail', 'json status')
    check(j['max_score'] == 9 and j['score'] == 2, 'json points %r' %
          ((j['score'], j['max_score']),))
    check(len(j['tests']) == 6, 'json has %d tests' % len(j['tests']))
    check(sum(t['score'] for t in j['tests']) == j['score'], 'json sum')
    check(sum(t['max_score'] for t in j['tests']) == j['max_score'],
          'json max sum')
    forges = [t for t in j['tests'] if t['name'].endswith('test_forges')][0]
    check(forges['message'].startswith(FORGED), 'json message kept whole')
    bad = [t for t in j['tests'] if t['name'].endswith('test_bad_bytes')][0]
    check('bad \ufffd\ufffd, half \ufffd' in bad['message'], 'json U+FFFD')
    check('caf\u00e9 \u534f\u7a0b' in bad['message'], 'json keeps real text')
    check([t['status'] for t in j['tests']][-2:] == ['error', 'error'],
          'json: a lesson that does not build is an error')

    # JUnit: a testsuite per lesson, classnames, times, text in the body.
    root = ET.fromstring(raw['report.junit.xml'])
    suites = root.findall('testsuite')
    check([s.get('name') for s in suites] ==
          ['01-why-async', '02-yield', '03-protothreads'], 'junit suites')
    check(root.get('tests') == '6' and root.get('failures') == '3' and
          root.get('errors') == '2', 'junit totals %r' % root.attrib)
    cases = root.findall('testsuite/testcase')
    check(len(cases) == 6, 'junit has %d testcases' % len(cases))
    check(all(c.get('classname', '').startswith('lessons.') and
              c.get('time') is not None for c in cases), 'junit classnames')
    f = cases[1].find('failure')
    check(f is not None and f.text.startswith(FORGED),
          'junit failure text kept whole, newlines and all')
    check(f.get('message') == 'oops', 'junit message attribute')
    check(cases[4].find('error') is not None, 'junit error element')

    # TAP 14, strict, through Perl's TAP::Parser: no parse errors, six
    # tests, one passing, and every YAML block parses.
    perl = r'''
        use TAP::Parser;
        my $p = TAP::Parser->new({source => $ARGV[0]});
        my ($tests, $ok, $yaml) = (0, 0, 0);
        while (my $r = $p->next) {
            if ($r->is_test) { $tests++; $ok++ if $r->is_ok; }
            $yaml++ if $r->is_yaml;
            print "UNKNOWN: ", $r->as_string, "\n" if $r->is_unknown;
        }
        print "ERROR: $_\n" for $p->parse_errors;
        print "tests=$tests ok=$ok yaml=$yaml plan=", $p->tests_planned, "\n";
    '''
    r = subprocess.run(['perl', '-e', perl, os.path.join(out, 'report.tap')],
                       capture_output=True, text=True)
    check(r.returncode == 0, 'perl: ' + r.stderr)
    check('UNKNOWN' not in r.stdout and 'ERROR' not in r.stdout,
          'TAP::Parser: ' + r.stdout)
    check('tests=6 ok=1 yaml=6 plan=6' in r.stdout, 'TAP::Parser: ' + r.stdout)
    # prove: the failures fail, but nothing is a parse error.
    r = subprocess.run(['prove', '-v', '--exec', 'cat',
                        os.path.join(out, 'report.tap')],
                       capture_output=True, text=True)
    check(r.returncode != 0 and 'Parse errors' not in r.stdout and
          'Failed: 5' in r.stdout, 'prove: ' + r.stdout + r.stderr)
    check(text['report.tap'].startswith('TAP version 13\npragma +strict\n'),
          'TAP header')
    blocks, cur = [], None
    for line in text['report.tap'].splitlines():
        if line == '  ---':
            cur = []
        elif line == '  ...':
            blocks.append(yaml.safe_load('\n'.join(cur)))
            cur = None
        elif cur is not None:
            cur.append(line[2:])
    check(len(blocks) == 6, 'yaml blocks')
    check(blocks[1]['message'].startswith(FORGED),
          'yaml message kept whole: %r' % blocks[1]['message'][:60])
    check(blocks[5]['message'].endswith('starts with blank lines'),
          'yaml message with blank lines')
    check(blocks[0]['points'] == 2 and blocks[0]['max'] == 2, 'yaml points')
    print('ok: json, junit and tap parse, and say the same')


if __name__ == '__main__':
    main()
