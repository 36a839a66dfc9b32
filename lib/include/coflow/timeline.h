/** @file
 * coflow/timeline.h - the task timeline: a recorder of what the loop did
 * and when, drawn as a picture with one lane per task (docs/debugging.md).
 *
 * Off by default, and then free: the loop pays one predictable branch per
 * iteration. While recording it notes, with timestamps: tasks created,
 * each step's start and end, what a task then waits on (a sleep, a future,
 * a task, a gather, an fd, a primitive's line), when it is woken, how it
 * ended (result, failure, cancelled); callbacks that ran; timers that
 * fired; calls posted from other threads; executor jobs, each drawn on
 * its worker thread's lane from when it began to when it ended (not on
 * virtual time nor with a debug clock of the program's own: a worker
 * thread reads the real clock, which those do not follow, so jobs are
 * left out of the picture rather than drawn in the wrong place).
 *
 * A recording is written as Chrome Trace Event Format JSON (open it in
 * https://ui.perfetto.dev or chrome://tracing) or as a self-contained SVG
 * (time left to right, a scale in ms; running, ready and waiting drawn
 * differently, each wait labelled). COFLOW_TIMELINE=PREFIX records every
 * loop of a program and writes PREFIX.json and PREFIX.svg when the loop
 * closes (PREFIX-2.* for a second loop, and so on). */
#ifndef COFLOW_TIMELINE_H
#define COFLOW_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "coflow/loop.h"

/** Starts recording on @p loop, forgetting an earlier recording. Time 0
 *  of the picture is now. @return 0; CO_EINVAL; CO_ECLOSED; CO_ENOMEM.
 *  @param loop the loop */
CO_API int co_timeline_start(co_loop *loop);

/** Stops recording; what was recorded stays, to be written.
 *  @return 0; CO_EINVAL (NULL); CO_ESTATE (not recording).
 *  @param loop the loop */
CO_API int co_timeline_stop(co_loop *loop);

/** True while @p loop records.
 *  @param loop the loop
 *  @return whether it records */
CO_API bool co_timeline_recording(const co_loop *loop);

/** How many notes the recording holds (0 without one).
 *  @param loop the loop
 *  @return the number of notes */
CO_API size_t co_timeline_count(const co_loop *loop);

/** Writes the recording as Chrome Trace Event Format JSON: one thread per
 *  task (tid), "B"/"E" pairs for running, ready and waiting, "X" for
 *  callbacks and "i" for timers and posts, timestamps in microseconds.
 *  @return 0; CO_EINVAL (NULL); CO_ESTATE (nothing was recorded);
 *  CO_ENOMEM; CO_EWRITE.
 *  @param loop the loop that recorded
 *  @param out where to write */
CO_API int co_timeline_write_json(co_loop *loop, FILE *out);

/** Writes the recording as one self-contained SVG picture.
 *  @return as co_timeline_write_json().
 *  @param loop the loop that recorded
 *  @param out where to write */
CO_API int co_timeline_write_svg(co_loop *loop, FILE *out);

#endif
