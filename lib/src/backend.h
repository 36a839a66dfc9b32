/* backend.h - what the loop needs from an I/O multiplexer.
 * The loop never calls select() itself: it calls these few functions, which
 * each backend file defines: backend_select.c (lesson 04's select()),
 * backend_poll.c and backend_epoll.c (lesson 16). A backend knows nothing
 * of the loop: poll() only says which descriptors are ready, in an array
 * the loop hands it, and the loop decides what that means.
 *
 * Every backend keeps the same promises, so that a program behaves the
 * same on each (docs/backends.md): readiness is level-triggered; add()
 * refuses an fd that is not open with CO_EBADF before anything grows, so
 * a huge fd costs nothing; and a watched fd that is closed behind the
 * loop's back is reported as CO__BAD by a later poll(), never left watched
 * in silence. */
#ifndef COFLOW_BACKEND_H
#define COFLOW_BACKEND_H

#include "coflow/backend.h"
#include "coflow/error.h"

/* The contract is public (coflow/backend.h), so that a program can hand
 * the loop a backend of its own (co_loop_new_with_ops); these are its
 * names inside the library. */
#define CO__READ CO_BACKEND_READ   /* fd readable */
#define CO__WRITE CO_BACKEND_WRITE /* fd writable */
#define CO__BAD CO_BACKEND_BAD     /* fd is not open any more */

/* One ready descriptor, as poll() reports it. */
typedef co_backend_fired co__fired;

/* name, create, destroy, add, del and poll: coflow/backend.h says what
 * each must do. */
typedef co_backend co__backend;

extern const co__backend co__backend_select;
extern const co__backend co__backend_poll;
#if defined(CO_HAVE_EPOLL)
extern const co__backend co__backend_epoll;
#endif

#endif
