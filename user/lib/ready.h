/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The readiness protocol between a tracer and whoever started it (`mmscope
 * run`, bench/overhead): the starter passes the write end of a pipe as fd
 * READY_FD, named in READY_ENV; the tracer writes one line "ready MODE"
 * there once it is attached, and closes it. The starter starts measuring
 * only after that line, and a pipe closed without it means the tracer died.
 */
#ifndef MMSCOPE_READY_H
#define MMSCOPE_READY_H

#include <stddef.h>

#define READY_ENV	"MMSCOPE_READY_FD"
#define READY_FD	3
/* how long a starter waits for the line before it gives up */
#define READY_TIMEOUT_S	60

/* Starter: the pipe, both ends close-on-exec, the read end non-blocking; 0 or -1. */
int ready_pipe(int fds[2]);
/*
 * Starter, in the child between fork and exec: put the write end wfd on
 * READY_FD (inherited across exec) and name it in READY_ENV.
 */
void ready_child_setup(int wfd);
/*
 * Starter: 1 when the line arrived (its word after "ready", the mode, into
 * mode when not NULL), 0 when not yet, -1 when the pipe closed without it.
 */
int ready_read(int rfd, char *mode, size_t len);
/*
 * Starter: ready_read until the line, the child's death (-1) or timeout_s
 * seconds (0). Polls, for one child; `run` waits for several with ready_read.
 */
int ready_wait(int rfd, double timeout_s, char *mode, size_t len);
/* Tracer: say "ready MODE" when a starter asked (READY_ENV set); once. */
void ready_signal(const char *mode);

#endif
