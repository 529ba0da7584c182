/* SPDX-License-Identifier: MIT */
/* tcpsink.c: single-stream TCP throughput for bench/net.sh, the same
   program on both ends (natively, and inside husk as the server):
     tcpsink sink PORT            accept one connection, read it to EOF,
                                  close
     tcpsink source PORT MIB      accept one connection, write MIB MiB,
                                  close
     tcpsink send HOST PORT MIB   connect (retrying for 20 s while
                                  refused), write MIB MiB, shut the write
                                  side, wait for the peer's close
     tcpsink recv HOST PORT       connect (as send), read to EOF
   The client modes time from the connection to the peer's close, so every
   byte has arrived, and print on stderr:
     bench=tcp_send bytes=N ms=T value=MB/s unit=MB/s
   Exit status 0, or 1 with a "tcpsink:" line naming the failing call. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buf[256 << 10];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "tcpsink: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int port_arg(const char *s)
{
    int p = atoi(s);
    if (p <= 0 || p > 65535) {
        fprintf(stderr, "tcpsink: bad port '%s'\n", s);
        exit(2);
    }
    return p;
}

/* One accepted connection on 0.0.0.0:port. */
static int accept_one(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0)
        die("socket");
    if (setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        die("setsockopt SO_REUSEADDR");
    if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0)
        die("bind");
    if (listen(ls, 1) < 0)
        die("listen");
    int s = accept(ls, NULL, NULL);
    if (s < 0)
        die("accept");
    close(ls);
    return s;
}

/* A connection to host:port, retried while refused or unreachable (the
   server may still be starting), for 20 s at most. */
static int connect_to(const char *host, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "tcpsink: bad IPv4 address '%s'\n", host);
        exit(2);
    }
    double give_up = now() + 20;
    for (;;) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0)
            die("socket");
        if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
            return s;
        int e = errno;
        close(s);
        errno = e;
        if ((e != ECONNREFUSED && e != EHOSTUNREACH && e != ENETUNREACH &&
             e != ETIMEDOUT) ||
            now() > give_up)
            die("connect");
        usleep(20000);
    }
}

static long long read_all(int s)
{
    long long got = 0;
    ssize_t n;
    while ((n = read(s, buf, sizeof(buf))) > 0)
        got += n;
    if (n < 0)
        die("read");
    return got;
}

static long long write_mib(int s, long mib)
{
    long long left = (long long)mib << 20;
    while (left > 0) {
        size_t len = left < (long long)sizeof(buf) ? (size_t)left : sizeof(buf);
        ssize_t n = write(s, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        left -= n;
    }
    return (long long)mib << 20;
}

static void report(const char *name, long long bytes, double secs)
{
    fprintf(stderr, "bench=%s bytes=%lld ms=%.1f value=%.1f unit=MB/s\n", name,
            bytes, secs * 1e3, bytes / secs / 1e6);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    memset(buf, 0x5a, sizeof(buf));
    if (!strcmp(mode, "sink") && argc == 3) {
        int s = accept_one(port_arg(argv[2]));
        read_all(s);
        close(s);
    } else if (!strcmp(mode, "source") && argc == 4) {
        int s = accept_one(port_arg(argv[2]));
        write_mib(s, atol(argv[3]));
        close(s);
    } else if (!strcmp(mode, "send") && argc == 5) {
        int s = connect_to(argv[2], port_arg(argv[3]));
        double t = now();
        long long n = write_mib(s, atol(argv[4]));
        if (shutdown(s, SHUT_WR) < 0)
            die("shutdown");
        read_all(s); /* the peer's close: all of it has arrived */
        report("tcp_send", n, now() - t);
        close(s);
    } else if (!strcmp(mode, "recv") && argc == 4) {
        int s = connect_to(argv[2], port_arg(argv[3]));
        double t = now();
        long long n = read_all(s);
        report("tcp_recv", n, now() - t);
        close(s);
    } else {
        fprintf(stderr, "usage: tcpsink sink PORT | source PORT MIB | "
                        "send HOST PORT MIB | recv HOST PORT\n");
        return 2;
    }
    return 0;
}
