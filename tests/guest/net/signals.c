/* SPDX-License-Identifier: MIT */
/*
 * signals.c: signals and blocking socket calls. A blocking accept() or
 * recv() in the main thread, hit by a signal from another thread after
 * 100 ms, fails EINTR when the handler lacks SA_RESTART; with SA_RESTART
 * the call goes on and completes when a connection or data comes 100 ms
 * after the signal.
 *
 * The helper thread that sends the signal also unblocks the main thread
 * after 5 s if the call is still waiting, so a lost wakeup fails the test
 * (the call returns success instead of EINTR) instead of hanging it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "tap.h"

static volatile sig_atomic_t hits;

static void count(int sig)
{
    (void)sig;
    hits++;
}

static void set_handler(int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = count;
    sa.sa_flags = flags;
    sigaction(SIGUSR1, &sa, NULL);
}

/* What the helper thread does: signal "target" after 100 ms, then, unless
 * the main thread is done by "release_ms", release it: connect to "addr"
 * (for accept) or send a byte on "fd" (for recv). */
struct kicker {
    pthread_t target, thread;
    int release_ms;
    int fd;                  /* to send on, or -1 to connect to addr */
    struct sockaddr_in addr; /* the listener, for accept */
    int conn;                /* the socket the release connected */
    volatile int done;       /* set by the main thread when its call ends */
};

static void *kick(void *arg)
{
    struct kicker *k = arg;
    int waited = 100;

    sleep_ms(100);
    pthread_kill(k->target, SIGUSR1);
    while (!k->done && waited < k->release_ms) {
        sleep_ms(10);
        waited += 10;
    }
    if (k->done)
        return NULL;
    if (k->fd >= 0) {
        send(k->fd, "r", 1, MSG_NOSIGNAL);
    } else {
        k->conn = socket(AF_INET, SOCK_STREAM, 0);
        connect(k->conn, (struct sockaddr *)&k->addr, sizeof(k->addr));
    }
    return NULL;
}

static int start_kicker(struct kicker *k, int fd, int release_ms)
{
    k->target = pthread_self();
    k->fd = fd;
    k->release_ms = release_ms;
    k->conn = -1;
    k->done = 0;
    return CHECK(pthread_create(&k->thread, NULL, kick, k) == 0,
                 "pthread_create");
}

static void stop_kicker(struct kicker *k)
{
    k->done = 1;
    pthread_join(k->thread, NULL);
    if (k->conn >= 0)
        close(k->conn);
}

/* accept() blocked with nothing to accept; the signal's handler has no
 * SA_RESTART, so accept fails EINTR after the handler ran. */
static void test_accept_eintr(void)
{
    struct kicker k;
    int lfd = tcp_listener(&k.addr, 1);

    if (lfd < 0)
        return;
    set_handler(0);
    hits = 0;
    if (start_kicker(&k, -1, 5000)) {
        int r = accept(lfd, NULL, NULL);
        int e = errno;
        stop_kicker(&k);
        CHECK(r == -1 && e == EINTR, "accept = %d, errno %d, want EINTR", r, e);
        if (r >= 0)
            close(r);
        CHECK(hits == 1, "%d handler runs", (int)hits);
    }
    close(lfd);
}

/* The same with SA_RESTART: accept restarts after the handler and returns
 * the connection made 100 ms after the signal. */
static void test_accept_restart(void)
{
    struct kicker k;
    int lfd = tcp_listener(&k.addr, 1);

    if (lfd < 0)
        return;
    set_handler(SA_RESTART);
    hits = 0;
    if (start_kicker(&k, -1, 200)) {
        int r = accept(lfd, NULL, NULL);
        int e = errno;
        stop_kicker(&k);
        CHECK(r >= 0, "accept = %d, errno %d, want a connection", r, e);
        if (r >= 0)
            close(r);
        CHECK(hits == 1, "%d handler runs", (int)hits);
    }
    close(lfd);
}

/* recv() blocked on an empty connected socket; the handler has no
 * SA_RESTART, so recv fails EINTR. */
static void test_recv_eintr(void)
{
    struct kicker k;
    char c;
    int a, b;

    if (!tcp_pair(&a, &b))
        return;
    set_handler(0);
    hits = 0;
    if (start_kicker(&k, a, 5000)) {
        ssize_t r = recv(b, &c, 1, 0);
        int e = errno;
        stop_kicker(&k);
        CHECK(r == -1 && e == EINTR, "recv = %zd, errno %d, want EINTR", r, e);
        CHECK(hits == 1, "%d handler runs", (int)hits);
    }
    close(a);
    close(b);
}

/* With SA_RESTART recv restarts after the handler and returns the byte
 * sent 100 ms after the signal. */
static void test_recv_restart(void)
{
    struct kicker k;
    char c = 0;
    int a, b;

    if (!tcp_pair(&a, &b))
        return;
    set_handler(SA_RESTART);
    hits = 0;
    if (start_kicker(&k, a, 200)) {
        ssize_t r = recv(b, &c, 1, 0);
        int e = errno;
        stop_kicker(&k);
        CHECK(r == 1 && c == 'r', "recv = %zd ('%c'), errno %d, want 1 byte", r,
              c, e);
        CHECK(hits == 1, "%d handler runs", (int)hits);
    }
    close(a);
    close(b);
}

/* The same two cases for read() on a unix stream socketpair. */
static void test_unix_read_eintr_restart(void)
{
    struct kicker k;
    char c = 0;
    int sv[2];

    if (!CHECK_SYSCALL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0))
        return;
    set_handler(0);
    hits = 0;
    if (start_kicker(&k, sv[0], 5000)) {
        ssize_t r = read(sv[1], &c, 1);
        int e = errno;
        stop_kicker(&k);
        CHECK(r == -1 && e == EINTR, "read = %zd, errno %d, want EINTR", r, e);
    }
    set_handler(SA_RESTART);
    if (start_kicker(&k, sv[0], 200)) {
        ssize_t r = read(sv[1], &c, 1);
        int e = errno;
        stop_kicker(&k);
        CHECK(r == 1 && c == 'r', "read = %zd ('%c'), errno %d, want 1 byte", r,
              c, e);
    }
    CHECK(hits == 2, "%d handler runs, want 2", (int)hits);
    close(sv[0]);
    close(sv[1]);
}

static const struct tap_test tests[] = {
    {"blocking accept, signal without SA_RESTART: EINTR", test_accept_eintr},
    {"blocking accept, signal with SA_RESTART: restarted", test_accept_restart},
    {"blocking recv, signal without SA_RESTART: EINTR", test_recv_eintr},
    {"blocking recv, signal with SA_RESTART: restarted, gets the data",
     test_recv_restart},
    {"blocking read on a unix socket: EINTR, then restarted",
     test_unix_read_eintr_restart},
};

TAP_MAIN(tests)
