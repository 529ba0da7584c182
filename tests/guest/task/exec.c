/* SPDX-License-Identifier: MIT */
/* exec.c: execve in one process. The program checks execve's errors, then
 * runs itself again through execve (and then through a #! script naming
 * itself as the interpreter), with a thread still running, and the new
 * image checks what Linux keeps and resets: pid, argv, envp, fds with and
 * without FD_CLOEXEC, handlers back to SIG_DFL while SIG_IGN stays, the
 * signal mask, AT_EXECFN, alarm. The TAP output goes on across the execs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define N_TESTS 13

static int n;

static void ok(int cond, const char *what)
{
    printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
    fflush(stdout);
}

static void handler(int sig) { (void)sig; }

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static char self[4096];

static void find_self(void)
{
    ssize_t r = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[r > 0 ? r : 0] = 0;
}

/* The first image: errors, then the exec with everything set up. */
static int first(void)
{
    char *noargs[] = {"x", NULL}, *noenv[] = {NULL};

    printf("1..%d\n", N_TESTS);
    errno = 0;
    ok(execve("/no/such/program", noargs, noenv) < 0 && errno == ENOENT,
       "a missing file: ENOENT");
    ok(execve("/", noargs, noenv) < 0 && errno == EACCES,
       "a directory: EACCES");
    /* a file without the execute bit, and one that is not a program */
    char plain[] = "/tmp/exec-test-XXXXXX";
    int fd = mkstemp(plain);
    if (fd >= 0) {
        (void)!write(fd, "just some bytes, not a program\n", 31);
        close(fd);
    }
    ok(execve(plain, noargs, noenv) < 0 && errno == EACCES,
       "no execute permission: EACCES");
    chmod(plain, 0755);
    ok(execve(plain, noargs, noenv) < 0 && errno == ENOEXEC,
       "not a program: ENOEXEC");
    unlink(plain);
    ok(syscall(SYS_execve, (char *)8, noargs, noenv) < 0 && errno == EFAULT,
       "a bad path pointer: EFAULT");
    ok(syscall(SYS_execve, self, (char **)8, noenv) < 0 && errno == EFAULT,
       "a bad argv: EFAULT");

    /* what the new image should find */
    int keep = open("/dev/null", O_RDONLY);
    int drop = open("/dev/null", O_RDONLY | O_CLOEXEC);
    signal(SIGUSR1, handler);
    signal(SIGUSR2, SIG_IGN);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGTERM);
    sigprocmask(SIG_BLOCK, &m, NULL);
    pthread_t t;
    pthread_create(&t, NULL, sleeper, NULL);
    char a_keep[16], a_drop[16], a_pid[16], a_n[16];
    snprintf(a_keep, sizeof(a_keep), "%d", keep);
    snprintf(a_drop, sizeof(a_drop), "%d", drop);
    snprintf(a_pid, sizeof(a_pid), "%d", getpid());
    snprintf(a_n, sizeof(a_n), "%d", n);
    char *argv[] = {"second", "--second", a_keep, a_drop, a_pid, a_n, NULL};
    char *envp[] = {"EXEC_TEST=yes", NULL};
    execve(self, argv, envp);
    ok(0, "execve of itself");
    return 1;
}

/* The second image: what execve kept and reset; then through a script. */
static int second(int argc, char **argv)
{
    n = atoi(argv[5]);
    int keep = atoi(argv[2]), drop = atoi(argv[3]);
    ok(argc == 6 && !strcmp(argv[0], "second") && atoi(argv[4]) == getpid(),
       "argv and the pid come through");
    const char *e = getenv("EXEC_TEST");
    ok(e && !strcmp(e, "yes") && !getenv("PATH"), "the new environment");
    ok(fcntl(keep, F_GETFD) == 0 && fcntl(drop, F_GETFD) < 0 && errno == EBADF,
       "an fd stays open, an O_CLOEXEC one is closed");
    struct sigaction a, b;
    sigaction(SIGUSR1, NULL, &a);
    sigaction(SIGUSR2, NULL, &b);
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    ok(a.sa_handler == SIG_DFL && b.sa_handler == SIG_IGN &&
           sigismember(&m, SIGTERM),
       "handlers reset, SIG_IGN and the mask kept");
    const char *fn = (const char *)getauxval(AT_EXECFN);
    ok(fn && !strcmp(fn, self), "AT_EXECFN is the path given to execve");

    /* a script whose interpreter is this program */
    char script[] = "/tmp/exec-script-XXXXXX";
    int fd = mkstemp(script);
    char line[4200];
    int len = snprintf(line, sizeof(line), "#!%s --third\necho\n", self);
    (void)!write(fd, line, (size_t)len);
    fchmod(fd, 0755);
    close(fd);
    char a_n[16];
    snprintf(a_n, sizeof(a_n), "%d", n);
    char *av[] = {script, "arg1", a_n, NULL};
    char *ev[] = {NULL};
    execve(script, av, ev);
    ok(0, "execve of a #! script");
    return 1;
}

/* The third image: run as the interpreter of a script. */
static int third(int argc, char **argv)
{
    n = atoi(argv[4]);
    ok(argc == 5 && !strcmp(argv[0], self) && !strcmp(argv[1], "--third") &&
           !strncmp(argv[2], "/tmp/exec-script-", 17) &&
           !strcmp(argv[3], "arg1"),
       "#!: interpreter, its argument, the script, the arguments");
    unlink(argv[2]);
    ok(n == N_TESTS - 1, "every test ran");
    return 0;
}

int main(int argc, char **argv)
{
    find_self();
    if (argc > 1 && !strcmp(argv[1], "--second"))
        return second(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "--third"))
        return third(argc, argv);
    return first();
}
