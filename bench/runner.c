/* SPDX-License-Identifier: MIT */
/* runner.c: host-side driver for start-to-exit time and peak RSS.

   runner [--reps R] [--warmup W] [--timeout S] -- CMD [ARGS...]

   Runs CMD W times unmeasured, then R times (fork + execvp, stdout on
   /dev/null, stderr kept), and prints one line:

     reps=R median_us=... min_us=... max_us=... max_rss_kib=... failures=F

   Wall time runs from before fork to after wait4. max_rss_kib is the largest
   ru_maxrss that wait4 reported over the runs; Linux fills it for the child
   and every descendant it waited for, so husk's supervised child counts. It
   may also count the pages the forked runner touched before execvp (exec
   keeps the old mm's high-water mark); compare with a native run of a small
   program, which carries the same floor.

   A run that outlives S seconds (default 30) has its process group killed.
   Exit status: 0 when every run exited 0, 1 when any did not (the figures
   are still printed), 2 on a usage or host error. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct run {
    double us;    /* wall time */
    long rss_kib; /* ru_maxrss */
    int status;   /* wait status */
};

static volatile sig_atomic_t alarm_fired;
static volatile pid_t current_child;

static void on_alarm(int sig)
{
    (void)sig;
    alarm_fired = 1;
}

/* Take the child's process group down with us on ^C or kill. */
static void on_fatal(int sig)
{
    if (current_child > 0)
        kill(-current_child, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void usage(void)
{
    fprintf(stderr, "usage: runner [--reps R] [--warmup W] [--timeout S] "
                    "-- CMD [ARGS...]\n");
    exit(2);
}

static long num_arg(const char *s, long min)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < min)
        usage();
    return v;
}

/* The child: own process group (so a timeout kills all of it), stdout on
   /dev/null, then CMD. */
static void child(char **cmd)
{
    int fd = open("/dev/null", O_WRONLY);

    setpgid(0, 0);
    if (fd < 0 || dup2(fd, 1) < 0) {
        perror("runner: /dev/null");
        _exit(126);
    }
    close(fd);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execvp(cmd[0], cmd);
    fprintf(stderr, "runner: execvp %s: %s\n", cmd[0], strerror(errno));
    _exit(127);
}

static int run_once(char **cmd, unsigned timeout_s, struct run *out)
{
    struct rusage ru;
    double t0 = now_us();
    pid_t pid = fork();

    if (pid < 0) {
        perror("runner: fork");
        return -1;
    }
    if (pid == 0)
        child(cmd);
    setpgid(pid, pid); /* both sides, so kill(-pid) never races */
    current_child = pid;
    alarm_fired = 0;
    alarm(timeout_s);
    while (wait4(pid, &out->status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("runner: wait4");
            return -1;
        }
        if (alarm_fired) {
            fprintf(stderr, "runner: %s: timeout after %us, killed\n", cmd[0],
                    timeout_s);
            kill(-pid, SIGKILL);
            alarm_fired = 0;
        }
    }
    out->us = now_us() - t0;
    alarm(0);
    kill(-pid, SIGKILL); /* leftovers of the group, if any */
    current_child = 0;
    out->rss_kib = ru.ru_maxrss;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void describe_failure(const char *cmd, int status)
{
    if (WIFEXITED(status))
        fprintf(stderr, "runner: %s exited %d\n", cmd, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "runner: %s killed by signal %d (%s)\n", cmd,
                WTERMSIG(status), strsignal(WTERMSIG(status)));
}

int main(int argc, char **argv)
{
    long reps = 10, warmup = 1, timeout_s = 30, failures = 0, max_rss = 0;
    int i = 1;
    struct sigaction sa = {.sa_handler = on_alarm};
    struct run r;
    double *us;

    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--reps") == 0)
            reps = num_arg(argv[++i], 1);
        else if (strcmp(argv[i], "--warmup") == 0)
            warmup = num_arg(argv[++i], 0);
        else if (strcmp(argv[i], "--timeout") == 0)
            timeout_s = num_arg(argv[++i], 1);
        else
            usage();
    }
    if (i + 1 >= argc)
        usage();
    char **cmd = &argv[i + 1];

    sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: wait4 gets EINTR */
    signal(SIGINT, on_fatal);
    signal(SIGTERM, on_fatal);
    us = calloc(reps, sizeof(*us));
    if (!us) {
        perror("runner: calloc");
        return 2;
    }
    for (long k = -warmup; k < reps; k++) {
        if (run_once(cmd, timeout_s, &r) < 0)
            return 2;
        if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
            if (failures == 0 && k >= 0)
                describe_failure(cmd[0], r.status);
            failures += k >= 0;
        }
        if (k < 0)
            continue;
        us[k] = r.us;
        if (r.rss_kib > max_rss)
            max_rss = r.rss_kib;
    }
    qsort(us, reps, sizeof(*us), cmp_double);
    printf("reps=%ld median_us=%.1f min_us=%.1f max_us=%.1f "
           "max_rss_kib=%ld failures=%ld\n",
           reps,
           reps % 2 ? us[reps / 2] : (us[reps / 2 - 1] + us[reps / 2]) / 2,
           us[0], us[reps - 1], max_rss, failures);
    free(us);
    return failures ? 1 : 0;
}
