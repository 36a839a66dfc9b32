/* report.h - classroom reports of a whole grading run: JSON with points per
 * test (the shape of GitHub Classroom's autograding result), JUnit XML (a
 * testsuite per lesson) and TAP 14 (messages as YAML diagnostics). The
 * points are lesson.meta's: a lesson that does not build lists every test
 * as an error worth nothing, so it still counts against the total. */
#ifndef TUTOR_REPORT_H
#define TUTOR_REPORT_H

#include "grade.h"
#include "lesson.h"

/* Writes report.json, report.junit.xml and report.tap into @p dir for the
 * @p n lessons in @p ls with their grades @p gs. Returns 0 or -1 (and says
 * why on stderr). */
int report_write(const char *dir, const lesson *ls, const grade *gs, int n);

#endif
