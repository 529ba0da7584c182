/* SPDX-License-Identifier: MIT */
/* exit.h: husk's exit statuses, in one place (also in the README).
   Otherwise husk exits with the program's own status, or 128+N when the
   program was killed by signal N, as a shell reports it. */
#ifndef HUSK_EXIT_H
#define HUSK_EXIT_H

#define HUSK_EXIT_ERROR 125  /* husk's own failure: bad option, no memory */
#define HUSK_EXIT_NOEXEC 126 /* the program exists but cannot be run */
#define HUSK_EXIT_NOENT 127  /* the program does not exist */

#endif
