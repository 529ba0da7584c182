/* SPDX-License-Identifier: MIT */
/* fsio.c: filesystem figures for bench/run.sh: fsio DIR [MIB]
   prints one line per item on stderr: bench=NAME value=X unit=U
   - seq_write: MIB MiB in 1 MiB writes, then fsync (MB/s)
   - seq_read: the same file read back (MB/s), then read_again
   - small_files: create+write+close, stat, unlink of 10000 files (us each) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char buf[1 << 20];

static double read_all(const char *path, long mib)
{
    int fd = open(path, O_RDONLY);
    double t = now();
    long got = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        got += n;
    t = now() - t;
    close(fd);
    return got == mib << 20 ? mib / t : -1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    long mib = argc > 2 ? atol(argv[2]) : 256;
    char path[4096];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)(i * 31);
    snprintf(path, sizeof(path), "%s/fsio.dat", dir);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    double t = now();
    for (long i = 0; i < mib; i++)
        if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
            perror("write");
            return 1;
        }
    fsync(fd);
    t = now() - t;
    close(fd);
    fprintf(stderr, "bench=seq_write value=%.1f unit=MB/s\n", mib / t);
    fprintf(stderr, "bench=seq_read value=%.1f unit=MB/s\n",
            read_all(path, mib));
    fprintf(stderr, "bench=read_again value=%.1f unit=MB/s\n",
            read_all(path, mib));
    unlink(path);

    enum { N = 10000 };
    struct stat st;
    t = now();
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof(path), "%s/s%05d", dir, i);
        fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd < 0 || write(fd, "x", 1) != 1)
            return 1;
        close(fd);
    }
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof(path), "%s/s%05d", dir, i);
        if (stat(path, &st) != 0)
            return 1;
    }
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof(path), "%s/s%05d", dir, i);
        unlink(path);
    }
    t = now() - t;
    fprintf(stderr, "bench=small_files value=%.1f unit=us/file\n", t * 1e6 / N);
    return 0;
}
