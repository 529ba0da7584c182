/* SPDX-License-Identifier: MIT */
/* signal.h: the kernel's view of the program's signals. Actions and masks
   are recorded exactly as Linux keeps them; delivery to the program's
   handlers comes with the signals issue. Until then a signal whose action
   is SIG_DFL takes its default action (terminate, or nothing for SIGCHLD,
   SIGURG, SIGWINCH, SIGCONT), SIG_IGN drops it, and one with a handler is
   recorded as pending in the thread. */
#ifndef HUSK_SIGNAL_H
#define HUSK_SIGNAL_H

/* Send sig to the calling program (kill/tgkill to itself, SIGPIPE). */
void signal_raise_self(int sig);

#endif
