/* SPDX-License-Identifier: MIT */
/* supervise.c: the parent side of a sandbox. It waits for the child and
   turns its end into husk's exit status as a shell would (exit status, or
   128+N and a message for death by signal N). Signals sent to husk by
   another process are passed on to the sandbox; those a terminal sends to
   the whole process group (Ctrl-C) already reach it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/host.h"
#include "host/policy.h"
#include <stdbool.h>
#include "syscall/syscall.h"

int supervise(pid_t child, const char *program, const struct host_record *rec);

static volatile pid_t sandbox;

static void forward(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (si->si_code != SI_KERNEL && sandbox > 0)
        kill(sandbox, sig);
}

static const char *signal_message(int sig)
{
    switch (sig) {
    case SIGHUP: return "Hangup";
    case SIGQUIT: return "Quit";
    case SIGILL: return "Illegal instruction";
    case SIGTRAP: return "Trace/breakpoint trap";
    case SIGABRT: return "Aborted";
    case SIGBUS: return "Bus error";
    case SIGFPE: return "Floating point exception";
    case SIGKILL: return "Killed";
    case SIGUSR1: return "User defined signal 1";
    case SIGSEGV: return "Segmentation fault";
    case SIGUSR2: return "User defined signal 2";
    case SIGALRM: return "Alarm clock";
    case SIGTERM: return "Terminated";
    case SIGSYS: return "Bad system call";
    case SIGXCPU: return "CPU time limit exceeded";
    case SIGXFSZ: return "File size limit exceeded";
    default: return strsignal(sig);
    }
}

/* The sandbox died of SIGSYS without the program asking for it: the
   seccomp filter killed it. The stub noted the call it was making. */
static void report_seccomp(const char *program, const struct host_record *rec)
{
    int nr = rec->last_nr;
    const char *name =
        nr >= 0 && nr < SYS_TABLE_SIZE ? sys_table[nr].name : NULL;
    struct policy_params any = {
        .ndisks = 1, .disks = {{.writable = true}}, .ntaps = 1};
    struct rule rules[POLICY_MAX_RULES];
    int n = policy_rules(&any, rules);
    bool listed = false;
    for (int i = 0; i < n; i++)
        listed |= rules[i].nr == nr;
    if (name)
        fprintf(stderr,
                "husk: %s: stopped by the sandbox: host system call "
                "%s (%d) is not allowed%s (seccomp)\n",
                program, name, nr, listed ? " with these arguments" : "");
    else
        fprintf(stderr,
                "husk: %s: stopped by the sandbox: a host system call "
                "outside the allowlist (seccomp)\n",
                program);
}

int supervise(pid_t child, const char *program, const struct host_record *rec)
{
    int fwd[] = {SIGHUP,  SIGINT,  SIGQUIT,  SIGTERM, SIGUSR1,
                 SIGUSR2, SIGALRM, SIGWINCH, SIGCONT};
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sandbox = child;
    for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
        sigaction(fwd[i], &sa, NULL);

    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "husk: waitpid: %s\n", strerror(errno));
            return 125;
        }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    int sig = WTERMSIG(status);
    if (sig == SIGSYS && rec->exit_signal != SIGSYS) {
        report_seccomp(program, rec);
        return 128 + sig;
    }
    /* as bash: no message for SIGINT and SIGPIPE */
    if (sig != SIGINT && sig != SIGPIPE)
        fprintf(stderr, "husk: %s: %s%s\n", program, signal_message(sig),
                WCOREDUMP(status) ? " (core dumped)" : "");
    return 128 + sig;
}
