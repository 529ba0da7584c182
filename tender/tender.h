/* SPDX-License-Identifier: MIT */
/* tender.h: host-side start of a sandbox (DESIGN.md "tender"). */
#ifndef HUSK_TENDER_H
#define HUSK_TENDER_H

#include "husk/config.h"

/* Check the program, start the sandbox in a supervised child and wait for
   it. Returns husk's exit status: the program's, 128+N if it was killed
   by signal N, or 125/126/127 (include/husk/exit.h) with one line on
   stderr when it could not be started. */
int tender_run(const struct husk_config *cfg);

#endif
