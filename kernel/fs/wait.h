/* SPDX-License-Identifier: MIT */
/* wait.h: waiting for a file to become ready (poll.c).

   One thread per sandbox today, so nothing inside the kernel can change
   while the thread waits: only the console (the host's fds) and time can.
   A wait that neither can end blocks as Linux would, until the program is
   killed. TODO(issue 4): wait queues on host futexes once threads and
   signal delivery exist. */
#ifndef HUSK_WAIT_H
#define HUSK_WAIT_H

#include "kernel.h"

struct file;

/* Wait until f reports one of `events` (poll bits); -EINTR never yet. */
long wait_file(struct file *f, unsigned events);

#endif
