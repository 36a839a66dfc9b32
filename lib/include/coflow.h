/** @file
 * coflow.h - everything: coroutines, the event loop, futures and tasks.
 * Each concept has its own header under coflow/; this one includes them all. */
#ifndef COFLOW_H
#define COFLOW_H

#include "coflow/error.h"
#include "coflow/lc.h"
#include "coflow/coro.h"
#include "coflow/future.h"
#include "coflow/task.h"
#include "coflow/loop.h"
#include "coflow/backend.h"
#include "coflow/concurrent.h"
#include "coflow/executor.h"
#include "coflow/process_pool.h"
#include "coflow/threads.h"
#include "coflow/signals.h"
#include "coflow/gather.h"
#include "coflow/locks.h"
#include "coflow/queue.h"
#include "coflow/aiter.h"
#include "coflow/acm.h"
#include "coflow/timeout.h"
#include "coflow/taskgroup.h"
#include "coflow/debug.h"
#include "coflow/timeline.h"
#include "coflow/streams.h"
#include "coflow/tls.h"
#include "coflow/url.h"
#include "coflow/http.h"

#endif
