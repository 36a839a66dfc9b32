/* judge_proto.h - how a lesson grader tells the judge (judge.c) what each
 * test did. Both sides include it; docs/grading.md explains why it is built
 * this way.
 *
 * The judge starts the grader with two extra file descriptors and
 * COFLOW_JUDGE=1 in its environment:
 *   fd JUDGE_NONCE_FD   a pipe holding JUDGE_NONCE_LEN random hex digits,
 *                       then end of file. The grader reads it before any
 *                       of the program's constructors run (grader.c puts
 *                       the read in .preinit_array) and closes it.
 *   fd JUDGE_RECORD_FD  a pipe the grader writes records to, one per line,
 *                       each with a single write() of at most
 *                       JUDGE_RECORD_MAX bytes:
 *     <nonce> start <test> <pid>            the test's body began
 *     <nonce> pass  <test> <pid>            the body returned, nothing failed
 *     <nonce> fail  <test> <pid> <message>  an assertion failed, or a guard
 * The message is escaped: backslash, newline, tab, carriage return and every
 * other control byte become \\ \n \t \r \xHH, so a record is always one
 * line and a message can never start a line of its own. */
#ifndef COFLOW_JUDGE_PROTO_H
#define COFLOW_JUDGE_PROTO_H

#define JUDGE_ENV "COFLOW_JUDGE"
#define JUDGE_RECORD_FD 3
#define JUDGE_NONCE_FD 4
#define JUDGE_NONCE_LEN 32
/* Below PIPE_BUF (4096 on Linux), so that one write() is one record even
 * when several processes write to the pipe at once. */
#define JUDGE_RECORD_MAX 3900

#endif
