/* SPDX-License-Identifier: MIT */
/* signal.h: the program's signals. Actions and masks are kept as Linux
   keeps them; a signal is made pending on a thread (standard signals do
   not queue) and delivered when that thread next leaves the kernel: on the
   way out of a syscall, or at once when it runs the program's code
   (another thread kicks it with the host signal HUSK_SIGNAL_KICK). A
   handler gets Linux's rt_sigframe on its stack (or sigaltstack), with
   the FPU state; rt_sigreturn puts everything back. Blocking calls end
   with -ERESTARTSYS (restarted under SA_RESTART) or -EINTR. */
#ifndef HUSK_SIGNAL_H
#define HUSK_SIGNAL_H

#include "kernel.h"

#include "abi/linux/signal.h"
#include "abi/linux/ucontext.h"

struct proc;

/* The host signal one thread sends another to make it look at its
   pending signals (a real-time signal nobody else uses). */
#define HUSK_SIGNAL_KICK 40

/* Host signals that become the program's: what the supervising parent
   forwards (kill of the husk process from outside, ^C on the console). */
#define HUSK_OUTSIDE_SIGNALS                                                   \
    (LINUX_SIGBIT(LINUX_SIGHUP) | LINUX_SIGBIT(LINUX_SIGINT) |                 \
     LINUX_SIGBIT(LINUX_SIGQUIT) | LINUX_SIGBIT(LINUX_SIGTERM) |               \
     LINUX_SIGBIT(LINUX_SIGUSR1) | LINUX_SIGBIT(LINUX_SIGUSR2) |               \
     LINUX_SIGBIT(LINUX_SIGALRM) | LINUX_SIGBIT(LINUX_SIGWINCH) |              \
     LINUX_SIGBIT(LINUX_SIGCONT))

/* A host signal from outside arrived (any context, takes no lock): it is
   sent to the program the next time one of its threads leaves the kernel,
   at once if it interrupted the program's code. */
void signal_outside(int sig);

/* Send sig to thread tid of p (0: to the process, i.e. a thread that does
   not block it). 0 or -ESRCH. SIGKILL ends the sandbox at once. */
long signal_send(struct proc *p, int tid, int sig,
                 const struct linux_siginfo *info);

/* Send sig to the calling thread (kill to itself, SIGPIPE). */
void signal_raise_self(int sig);

/* Does the calling thread have a signal it does not block? */
bool signal_pending(void);

/* Deliver the calling thread's deliverable signals on its way back to
   the program with registers uc. nr: the syscall it is leaving (its result
   in uc's %rax may be -ERESTARTSYS), or -1. */
void signal_deliver(struct linux_ucontext *uc, int nr);

/* A fault in the program's code: deliver it to the handler (true), or
   false when it must end the program (no handler, blocked, ignored). */
bool signal_fault(int sig, const struct linux_siginfo *info,
                  struct linux_ucontext *uc);

#endif
