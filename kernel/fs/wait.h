/* SPDX-License-Identifier: MIT */
/* wait.h: waiting for a file to become ready (poll.c).

   What can end a wait: the console (the host's fds), time, and, once the
   program has several threads, another thread changing a file. Every such
   change posts a kernel event (kevent_post): one sequence word, on which
   waiting threads sleep with a host futex. A waiter reads the sequence
   before it looks at its files, so no change between look and sleep is
   missed. With one thread nothing but the console and time can end a
   wait, which then blocks as Linux would, until the program is killed. */
#ifndef HUSK_WAIT_H
#define HUSK_WAIT_H

#include "kernel.h"

struct file;

/* The kernel event sequence, and a change to post to it. */
uint32_t kevent_seq(void);
void kevent_post(void);
/* Sleep until the sequence moves past seq, for at most ns nanoseconds
   (or a host signal comes). */
void kevent_wait(uint32_t seq, int64_t ns);
/* Its address, for the seccomp pin of the futex hypercall. */
extern uint32_t kevent_word;

/* Wait until f reports one of `events` (poll bits): 0, or -ERESTARTSYS
   when a signal is pending. */
long wait_file(struct file *f, unsigned events);
/* The same until deadline (CLOCK_MONOTONIC ns; -1: none): -ETIMEDOUT
   after it. */
long wait_file_until(struct file *f, unsigned events, int64_t deadline);

#endif
