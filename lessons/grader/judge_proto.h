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
 *   fd JUDGE_RECORD_FD  one end of a socket pair of type SOCK_SEQPACKET
 *                       that the grader writes records to, one per
 *                       message, each a line of at most JUDGE_RECORD_MAX
 *                       bytes written with a single write(). A socket, not
 *                       a pipe: a pipe's other end can be opened again
 *                       through /proc/self/fd/3, and its records read
 *                       back, nonce and all; a socket's cannot. And each
 *                       write is one message, whole, however many
 *                       processes write at once and however long it is:
 * *     <nonce> start <test> <pid>            the test's body began
 *     <nonce> pass  <test> <pid>            the body returned, nothing failed
 *     <nonce> fail  <test> <pid> <message>  an assertion failed, or a guard
 * The message is escaped: backslash, newline, tab, carriage return and every
 * other control byte become \\ \n \t \r \xHH, so a record is always one
 * line and a message can never start a line of its own. The grader writes
 * records only while fd JUDGE_RECORD_FD is still the socket it was handed
 * (same device and inode), and never through the C library's functions,
 * which exercise.c could replace (grader.c). */
#ifndef COFLOW_JUDGE_PROTO_H
#define COFLOW_JUDGE_PROTO_H

#define JUDGE_ENV "COFLOW_JUDGE"
#define JUDGE_RECORD_FD 3
#define JUDGE_NONCE_FD 4
#define JUDGE_NONCE_LEN 32
/* Room for a failure message of GRADE_MESSAGE_MAX bytes (grader.h) once
 * escaped, and far below a socket's send buffer, so that one write() is
 * one message. A longer message is cut, and its record ends with a mark
 * that says so. */
#define JUDGE_RECORD_MAX 16384

#endif
