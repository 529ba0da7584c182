/* SPDX-License-Identifier: MIT */
/* poll.c: readiness and waiting: poll, ppoll, select, pselect6, the epoll
   family, and wait_file (wait.h) for blocking reads and writes.

   Every wait is one loop: ask each file's poll op; if something is ready
   or the time is up, return; otherwise wait for what can change while the
   only thread waits: the console (a host ppoll on its fds) or the clock.
   See wait.h for why that is all, and what issue 4 changes.

   An epoll instance is a list of items (fd, file, events, data); items
   hold no reference on their file (Linux's semantics: closing the last fd
   of a file removes it from every epoll), so file_put calls epoll_forget.
   Edge-triggered items report when the file's readiness sequence moves or
   it becomes ready after not being ready. */
#include "abi/linux/fcntl.h"
#include "abi/linux/misc.h"
#include "file.h"
#include "host/host.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "signal/signal.h"
#include "task/task.h"
#include "wait.h"

int nofile_limit(void);
bool console_host_fd(struct file *f, int *host_fd);
bool net_thread_running(void);

#define FOREVER (-1LL)

static int64_t now_ns(void)
{
    struct linux_timespec ts;
    host_time_clock_gettime(LINUX_CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static unsigned file_poll(struct file *f, unsigned long *seq)
{
    if (f->ops->poll)
        return f->ops->poll(f, seq);
    if (seq)
        *seq = f->event_seq;
    return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

struct host_pollfd {
    int32_t fd;
    int16_t events, revents;
};

/* The console fds among files[] wanting events[], for a host ppoll. */
static int console_set(struct file **files, const unsigned *events, int n,
                       struct host_pollfd *pfd)
{
    int k = 0;
    for (int i = 0; i < n && k < 3; i++) {
        int hfd;
        if (!files[i] || !console_host_fd(files[i], &hfd))
            continue;
        int j = 0;
        while (j < k && pfd[j].fd != hfd)
            j++;
        if (j == k)
            pfd[k++] = (struct host_pollfd){hfd, 0, 0};
        pfd[j].events |= (int16_t)(events[i] & (POLLIN | POLLOUT | POLLPRI));
    }
    return k;
}

uint32_t kevent_word;
static int kevent_sleepers;

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

void kevent_wait(uint32_t seq, int64_t ns)
{
    struct linux_timespec ts = {ns / 1000000000LL, ns % 1000000000LL};
    __atomic_add_fetch(&kevent_sleepers, 1, __ATOMIC_SEQ_CST);
    host_futex_op(&kevent_word, FUTEX_WAIT_PRIVATE, seq, &ts, &kevent_word, 0);
    __atomic_sub_fetch(&kevent_sleepers, 1, __ATOMIC_SEQ_CST);
}

uint32_t kevent_seq(void)
{
    return __atomic_load_n(&kevent_word, __ATOMIC_ACQUIRE);
}

void kevent_post(void)
{
    __atomic_add_fetch(&kevent_word, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&kevent_sleepers, __ATOMIC_SEQ_CST))
        host_futex_op(&kevent_word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL,
                      &kevent_word, 0);
}

/* With several threads: sleep until the event sequence moves past seq, a
   console file is ready or the deadline passes (the console is polled in
   slices of 10 ms meanwhile). Callers look again either way. */
static void idle_threads(struct host_pollfd *pfd, int k, int64_t deadline,
                         uint32_t seq)
{
    int64_t left =
        deadline == FOREVER ? 3600LL * 1000000000LL : deadline - now_ns();
    if (left <= 0)
        return;
    if (k) {
        for (;;) {
            int64_t slice = MIN(left, 10 * 1000000LL);
            struct linux_timespec ts = {0, slice};
            if (host_console_poll(pfd, k, &ts) != 0 || kevent_seq() != seq)
                return;
            left -= slice;
            if (left <= 0)
                return;
        }
    }
    kevent_wait(seq, left);
}

/* Sleep until deadline (FOREVER: for good), until one of the console
   files is ready, or (with several threads) until a kernel event after
   seq. */
static long idle(struct file **files, const unsigned *events, int n,
                 int64_t deadline, uint32_t seq)
{
    struct host_pollfd pfd[3];
    int k = console_set(files, events, n, pfd);
    struct proc *p = current_proc();
    if (__atomic_load_n(&p->nthreads, __ATOMIC_RELAXED) > 1 ||
        __atomic_load_n(&p->timer_thread, __ATOMIC_RELAXED) ||
        net_thread_running()) {
        idle_threads(pfd, k, deadline, seq);
        return 0;
    }
    for (;;) {
        int64_t left =
            deadline == FOREVER ? 3600LL * 1000000000LL : deadline - now_ns();
        if (left <= 0)
            return 0;
        struct linux_timespec ts = {left / 1000000000LL, left % 1000000000LL};
        long r = k ? host_console_poll(pfd, k, &ts)
                   : host_time_nanosleep(LINUX_CLOCK_MONOTONIC, 0, &ts, NULL);
        if (k && r != 0)
            return 0; /* a console fd is ready (or the host said EINTR) */
        if (signal_pending())
            return 0;
        if (deadline != FOREVER)
            return 0;
    }
}

/* Nothing was ready after a scan: 0 when the time is up (or there was
   none to wait), -EINTR for a signal, or 1 after sleeping (idle): scan
   again. seq is the event sequence read before the scan. */
static long wait_again(struct file **files, const unsigned *events, int n,
                       int64_t timeout_ns, int64_t deadline, uint32_t seq)
{
    if (timeout_ns == 0 || (deadline != FOREVER && now_ns() >= deadline))
        return 0;
    if (signal_pending())
        return -EINTR;
    idle(files, events, n, deadline, seq);
    return 1;
}

long wait_file_until(struct file *f, unsigned events, int64_t deadline)
{
    if (deadline < 0)
        deadline = FOREVER;
    for (;;) {
        uint32_t seq = kevent_seq();
        if (file_poll(f, NULL) & events)
            return 0;
        if (signal_pending())
            return -ERESTARTSYS;
        if (deadline != FOREVER && now_ns() >= deadline)
            return -ETIMEDOUT;
        idle(&f, &events, 1, deadline, seq);
    }
    return 0;
}

long wait_file(struct file *f, unsigned events)
{
    return wait_file_until(f, events, FOREVER);
}

/* ---- poll, ppoll ---- */

struct linux_pollfd {
    int32_t fd;
    int16_t events, revents;
};

/* Fill revents; returns how many are non-zero. */
static int poll_scan(struct linux_pollfd *p, struct file **files, int n)
{
    int ready = 0;
    for (int i = 0; i < n; i++) {
        p[i].revents = 0;
        if (p[i].fd < 0)
            continue;
        if (!files[i])
            p[i].revents = POLLNVAL;
        else
            p[i].revents = (int16_t)(file_poll(files[i], NULL) &
                                     ((unsigned)(uint16_t)p[i].events |
                                      POLLERR | POLLHUP));
        ready += p[i].revents != 0;
    }
    return ready;
}

static long do_poll(uptr_t ufds, unsigned n, int64_t timeout_ns)
{
    if (n > (unsigned)nofile_limit())
        return -EINVAL;
    struct linux_pollfd *p = kmalloc((n ? n : 1) * sizeof(*p));
    struct file **files = kzalloc((n ? n : 1) * sizeof(*files));
    unsigned *ev = kmalloc((n ? n : 1) * sizeof(*ev));
    long r = -ENOMEM;
    if (!p || !files || !ev)
        goto out;
    r = -EFAULT;
    if (copy_in(p, ufds, n * sizeof(*p)) < 0)
        goto out;
    for (unsigned i = 0; i < n; i++) {
        files[i] = p[i].fd >= 0 ? fdt_get(current_proc()->fdt, p[i].fd) : NULL;
        ev[i] = (uint16_t)p[i].events;
    }
    int64_t deadline = timeout_ns < 0 ? FOREVER : now_ns() + timeout_ns;
    for (;;) {
        uint32_t seq = kevent_seq();
        r = poll_scan(p, files, (int)n);
        if (r ||
            (r = wait_again(files, ev, (int)n, timeout_ns, deadline, seq)) != 1)
            break; /* ready, the time is up (0) or a signal (-EINTR) */
    }
    if (copy_out(ufds, p, n * sizeof(*p)) < 0)
        r = -EFAULT;
out:
    for (unsigned i = 0; files && i < n; i++)
        file_put(files[i]);
    kfree(p);
    kfree(files);
    kfree(ev);
    return r;
}

SYSCALL_DEFINE3(poll, uptr_t, fds, unsigned, n, int, timeout_ms)
{
    return do_poll(fds, n, timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000);
}

static long timeout_in(uptr_t uts, int64_t *ns)
{
    struct linux_timespec ts;
    if (!uts) {
        *ns = -1;
        return 0;
    }
    if (copy_in(&ts, uts, sizeof(ts)) < 0)
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
        return -EINVAL;
    *ns = ts.tv_sec > 1000000000L ? -1 : ts.tv_sec * 1000000000LL + ts.tv_nsec;
    return 0;
}

/* The signal mask argument of ppoll, pselect6 and epoll_pwait: the
   thread's mask for the call's duration; the old one comes back on the
   way out (signal_deliver), or after the handler that interrupted it. */
static long sigmask_ok(uptr_t umask, size_t size)
{
    linux_sigset_t m;
    struct task *t = current();
    if (!umask)
        return 0;
    if (size != sizeof(m))
        return -EINVAL;
    if (copy_in(&m, umask, sizeof(m)) < 0)
        return -EFAULT;
    t->saved_mask = t->sigmask;
    t->saved_mask_valid = true;
    t->sigmask =
        m & ~(LINUX_SIGBIT(LINUX_SIGKILL) | LINUX_SIGBIT(LINUX_SIGSTOP));
    return 0;
}

SYSCALL_DEFINE5(ppoll, uptr_t, fds, unsigned, n, uptr_t, uts, uptr_t, umask,
                size_t, size)
{
    int64_t ns;
    long r = timeout_in(uts, &ns);
    if (r == 0)
        r = sigmask_ok(umask, size);
    return r ? r : do_poll(fds, n, ns);
}

/* ---- select, pselect6 ---- */

static long do_select(int n, uptr_t uin, uptr_t uout, uptr_t uex,
                      int64_t timeout_ns)
{
    if (n < 0)
        return -EINVAL;
    n = MIN(n, current_proc()->fdt->size);
    size_t bytes = (size_t)((n + 63) / 64) * 8;
    uint64_t *sets[3] = {NULL, NULL, NULL}, *res[3] = {NULL, NULL, NULL};
    uptr_t u[3] = {uin, uout, uex};
    struct file **files = kzalloc((n ? n : 1) * sizeof(*files));
    unsigned *ev = kzalloc((n ? n : 1) * sizeof(*ev));
    long r = -ENOMEM;
    if (!files || !ev)
        goto out;
    for (int k = 0; k < 3; k++) {
        sets[k] = kzalloc(bytes ? bytes : 8);
        res[k] = kzalloc(bytes ? bytes : 8);
        if (!sets[k] || !res[k])
            goto out;
        r = -EFAULT;
        if (u[k] && copy_in(sets[k], u[k], bytes) < 0)
            goto out;
    }
    for (int fd = 0; fd < n; fd++) {
        uint64_t bit = 1ULL << (fd % 64);
        int w = fd / 64;
        ev[fd] = (sets[0][w] & bit ? POLLIN : 0) |
                 (sets[1][w] & bit ? POLLOUT : 0) |
                 (sets[2][w] & bit ? POLLPRI : 0);
        if (ev[fd] && !(files[fd] = fdt_get(current_proc()->fdt, fd))) {
            r = -EBADF;
            goto out;
        }
    }
    int64_t deadline = timeout_ns < 0 ? FOREVER : now_ns() + timeout_ns;
    for (;;) {
        uint32_t seq = kevent_seq();
        r = 0;
        for (int fd = 0; fd < n; fd++) {
            if (!files[fd])
                continue;
            unsigned m = file_poll(files[fd], NULL);
            uint64_t bit = 1ULL << (fd % 64);
            if ((ev[fd] & POLLIN) && (m & (POLLIN | POLLHUP | POLLERR)))
                res[0][fd / 64] |= bit, r++;
            if ((ev[fd] & POLLOUT) && (m & (POLLOUT | POLLERR)))
                res[1][fd / 64] |= bit, r++;
            if ((ev[fd] & POLLPRI) && (m & POLLPRI))
                res[2][fd / 64] |= bit, r++;
        }
        if (r || (r = wait_again(files, ev, n, timeout_ns, deadline, seq)) != 1)
            break; /* ready, the time is up (0) or a signal (-EINTR) */
    }
    for (int k = 0; k < 3; k++)
        if (u[k] && copy_out(u[k], res[k], bytes) < 0)
            r = -EFAULT;
out:
    for (int fd = 0; files && fd < n; fd++)
        file_put(files[fd]);
    for (int k = 0; k < 3; k++) {
        kfree(sets[k]);
        kfree(res[k]);
    }
    kfree(files);
    kfree(ev);
    return r;
}

SYSCALL_DEFINE5(select, int, n, uptr_t, in, uptr_t, out, uptr_t, ex, uptr_t,
                utv)
{
    struct linux_timeval tv;
    int64_t ns = -1;
    if (utv) {
        if (copy_in(&tv, utv, sizeof(tv)) < 0)
            return -EFAULT;
        if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return -EINVAL;
        ns = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
    }
    int64_t start = now_ns();
    long r = do_select(n, in, out, ex, ns);
    if (utv && r >= 0) { /* Linux writes back the time not slept */
        int64_t left = MAX(0, ns - (now_ns() - start));
        tv.tv_sec = left / 1000000000LL;
        tv.tv_usec = (left % 1000000000LL) / 1000;
        copy_out(utv, &tv, sizeof(tv));
    }
    return r;
}

SYSCALL_DEFINE6(pselect6, int, n, uptr_t, in, uptr_t, out, uptr_t, ex, uptr_t,
                uts, uptr_t, usig)
{
    int64_t ns;
    uint64_t sig[2]; /* { const sigset_t *ss, size_t ss_len } */
    long r = timeout_in(uts, &ns);
    if (r)
        return r;
    if (usig) {
        if (copy_in(sig, usig, sizeof(sig)) < 0)
            return -EFAULT;
        if ((r = sigmask_ok(sig[0], sig[1])))
            return r;
    }
    return do_select(n, in, out, ex, ns);
}

/* ---- epoll ---- */

#define EPOLLIN 0x001
#define EPOLLEXCLUSIVE (1U << 28)
#define EPOLLWAKEUP (1U << 29)
#define EPOLLONESHOT (1U << 30)
#define EPOLLET (1U << 31)
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EP_MAX_EVENTS (INT32_MAX / 12)

struct epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));

struct ep_item {
    struct ep_item *next;
    int fd;
    struct file *file; /* no reference: see epoll_forget */
    uint32_t events;
    uint64_t data;
    unsigned long last_seq;
    unsigned last_mask;
    bool disabled; /* EPOLLONESHOT fired */
};

struct epoll {
    struct spinlock lock;
    struct ep_item *items;
    struct epoll *next; /* every instance, for epoll_forget */
    struct file *self;
};

static struct spinlock ep_all_lock;
static struct epoll *ep_all;

void epoll_forget(struct file *f);
void epoll_forget(struct file *f)
{
    spin_lock(&ep_all_lock);
    for (struct epoll *ep = ep_all; ep; ep = ep->next) {
        spin_lock(&ep->lock);
        for (struct ep_item **pp = &ep->items; *pp;) {
            struct ep_item *it = *pp;
            if (it->file == f) {
                *pp = it->next;
                kfree(it);
            } else {
                pp = &it->next;
            }
        }
        spin_unlock(&ep->lock);
    }
    spin_unlock(&ep_all_lock);
}

static unsigned ep_poll(struct file *f, unsigned long *seq);

static void ep_release(struct file *f)
{
    struct epoll *ep = f->priv;
    spin_lock(&ep_all_lock);
    for (struct epoll **pp = &ep_all; *pp; pp = &(*pp)->next)
        if (*pp == ep) {
            *pp = ep->next;
            break;
        }
    spin_unlock(&ep_all_lock);
    while (ep->items) {
        struct ep_item *it = ep->items;
        ep->items = it->next;
        kfree(it);
    }
    kfree(ep);
}

static const struct file_ops ep_fops = {
    .poll = ep_poll,
    .release = ep_release,
    .anon_name = "[eventpoll]",
};

/* Collect up to max ready events into out; called with ep->lock held. */
static int ep_collect(struct epoll *ep, struct epoll_event *out, int max)
{
    int n = 0;
    for (struct ep_item *it = ep->items; it && n < max; it = it->next) {
        if (it->disabled)
            continue;
        unsigned long seq;
        unsigned m =
            file_poll(it->file, &seq) & (it->events | POLLERR | POLLHUP);
        if (!m) {
            it->last_mask = 0;
            continue;
        }
        if ((it->events & EPOLLET) && seq == it->last_seq && it->last_mask)
            continue;
        it->last_seq = seq;
        it->last_mask = m;
        if (out) {
            out[n].events = m;
            out[n].data = it->data;
            if (it->events & EPOLLONESHOT)
                it->disabled = true;
        }
        n++;
    }
    return n;
}

static unsigned ep_poll(struct file *f, unsigned long *seq)
{
    struct epoll *ep = f->priv;
    if (seq)
        *seq = 0;
    /* ready when some item is, without consuming edges */
    spin_lock(&ep->lock);
    int n = 0;
    for (struct ep_item *it = ep->items; it && !n; it = it->next)
        n = !it->disabled && (file_poll(it->file, NULL) & it->events);
    spin_unlock(&ep->lock);
    return n ? POLLIN | POLLRDNORM : 0;
}

static long do_epoll_create(int flags)
{
    if (flags & ~LINUX_O_CLOEXEC)
        return -EINVAL;
    struct epoll *ep = kzalloc(sizeof(*ep));
    struct file *f = ep ? file_alloc(&ep_fops, LINUX_O_RDWR) : NULL;
    if (!f) {
        kfree(ep);
        return -ENOMEM;
    }
    f->priv = ep;
    ep->self = f;
    spin_lock(&ep_all_lock);
    ep->next = ep_all;
    ep_all = ep;
    spin_unlock(&ep_all_lock);
    long r = fdt_install(current_proc()->fdt, f, 0, nofile_limit(),
                         flags & LINUX_O_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
}

SYSCALL_DEFINE1(epoll_create1, int, flags) { return do_epoll_create(flags); }

SYSCALL_DEFINE1(epoll_create, int, size)
{
    return size <= 0 ? -EINVAL : do_epoll_create(0);
}

static struct epoll *epoll_of(struct file *f)
{
    return f && f->ops == &ep_fops ? f->priv : NULL;
}

SYSCALL_DEFINE4(epoll_ctl, int, epfd, int, op, int, fd, uptr_t, uev)
{
    struct epoll_event ev = {0, 0};
    if (op != EPOLL_CTL_DEL && copy_in(&ev, uev, sizeof(ev)) < 0)
        return -EFAULT;
    struct file *ef = fdt_get(current_proc()->fdt, epfd);
    struct file *tf = fdt_get(current_proc()->fdt, fd);
    struct epoll *ep = epoll_of(ef);
    long r = 0;
    if (!ef || !tf)
        r = -EBADF;
    else if (!ep || ef == tf)
        r = -EINVAL;
    else if (tf->inode &&
             (s_isreg(tf->inode->mode) || s_isdir(tf->inode->mode)))
        r = -EPERM; /* regular files and directories are always ready */
    if (r)
        goto out;
    spin_lock(&ep->lock);
    struct ep_item **pp = &ep->items;
    while (*pp && ((*pp)->fd != fd || (*pp)->file != tf))
        pp = &(*pp)->next;
    struct ep_item *it = *pp;
    if (op == EPOLL_CTL_ADD) {
        if (it)
            r = -EEXIST;
        else if (!(it = kzalloc(sizeof(*it))))
            r = -ENOMEM;
        else {
            *it = (struct ep_item){ep->items, fd, tf, ev.events,
                                   ev.data,   0,  0,  false};
            ep->items = it;
        }
    } else if (!it) {
        r = op == EPOLL_CTL_MOD || op == EPOLL_CTL_DEL ? -ENOENT : -EINVAL;
    } else if (op == EPOLL_CTL_MOD) {
        it->events = ev.events;
        it->data = ev.data;
        it->disabled = false;
        it->last_mask = 0;
    } else if (op == EPOLL_CTL_DEL) {
        *pp = it->next;
        kfree(it);
    } else {
        r = -EINVAL;
    }
    spin_unlock(&ep->lock);
out:
    file_put(ef);
    file_put(tf);
    return r;
}

static long do_epoll_wait(int epfd, uptr_t uev, int max, int64_t timeout_ns)
{
    if (max <= 0 || max > EP_MAX_EVENTS)
        return -EINVAL;
    if (!user_range_ok(uev, (size_t)max * sizeof(struct epoll_event)))
        return -EFAULT;
    struct file *ef = fdt_get(current_proc()->fdt, epfd);
    struct epoll *ep = epoll_of(ef);
    long r;
    if (!ef || !ep) {
        file_put(ef);
        return ef ? -EINVAL : -EBADF;
    }
    int cap = MIN(max, 1024);
    struct epoll_event *out = kmalloc((size_t)cap * sizeof(*out));
    if (!out) {
        file_put(ef);
        return -ENOMEM;
    }
    int64_t deadline = timeout_ns < 0 ? FOREVER : now_ns() + timeout_ns;
    for (;;) {
        uint32_t seq = kevent_seq();
        spin_lock(&ep->lock);
        r = ep_collect(ep, out, cap);
        int n = 0;
        struct file *watch[64];
        unsigned evs[64];
        for (struct ep_item *it = ep->items; it && n < 64; it = it->next)
            if (!it->disabled) {
                watch[n] = it->file;
                evs[n++] = it->events;
            }
        spin_unlock(&ep->lock);
        if (r ||
            (r = wait_again(watch, evs, n, timeout_ns, deadline, seq)) != 1)
            break; /* ready, the time is up (0) or a signal (-EINTR) */
    }
    if (r > 0 && copy_out(uev, out, (size_t)r * sizeof(*out)) < 0)
        r = -EFAULT;
    kfree(out);
    file_put(ef);
    return r;
}

SYSCALL_DEFINE4(epoll_wait, int, epfd, uptr_t, ev, int, max, int, timeout_ms)
{
    return do_epoll_wait(epfd, ev, max,
                         timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000);
}

SYSCALL_DEFINE6(epoll_pwait, int, epfd, uptr_t, ev, int, max, int, timeout_ms,
                uptr_t, umask, size_t, size)
{
    long r = sigmask_ok(umask, size);
    return r ? r
             : do_epoll_wait(epfd, ev, max,
                             timeout_ms < 0 ? -1
                                            : (int64_t)timeout_ms * 1000000);
}

SYSCALL_DEFINE6(epoll_pwait2, int, epfd, uptr_t, ev, int, max, uptr_t, uts,
                uptr_t, umask, size_t, size)
{
    int64_t ns;
    long r = timeout_in(uts, &ns);
    if (r == 0)
        r = sigmask_ok(umask, size);
    return r ? r : do_epoll_wait(epfd, ev, max, ns);
}
