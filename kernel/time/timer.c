/* SPDX-License-Identifier: MIT */
/* timer.c: timers that raise signals or wake files: alarm,
   setitimer/getitimer (ITIMER_REAL), the POSIX timer_* calls and timerfd.

   All of a process's timers are one list (proc->timers, under proc->lock)
   served by one kernel thread (kthread_start), made when the first timer
   is armed. It sleeps on the kernel event word until the earliest expiry;
   arming a timer posts an event so that it looks again. Expiries are kept
   on CLOCK_MONOTONIC: a CLOCK_REALTIME timer is converted when armed, so
   a later jump of the wall clock does not move it (Linux would).
   ITIMER_VIRTUAL and ITIMER_PROF run on the host process's CPU time
   (CLOCK_PROCESS_CPUTIME_ID, the kernel's work included for both), which
   the thread polls every 10 ms while one is armed. */
#include "abi/linux/fcntl.h"
#include "abi/linux/types.h"
#include "fs/file.h"
#include "fs/wait.h"
#include "host/host.h"
#include "signal/signal.h"
#include "syscall/syscall.h"
#include "syscall/uaccess.h"
#include "task/task.h"

#define NS 1000000000LL

enum timer_kind { T_ITIMER, T_POSIX, T_TIMERFD };

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD_ID 4
#define SI_TIMER (-2)
#define TIMER_ABSTIME 1
#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2
#define CLOCK_BOOTTIME 7
#define CLOCK_PROCESS_CPUTIME 2

struct ktimer {
    struct ktimer *next;
    enum timer_kind kind;
    int id, clock;
    int64_t expiry;   /* CLOCK_MONOTONIC ns; 0: disarmed */
    int64_t interval; /* ns; 0: one shot */
    int notify, signo, tid;
    uint64_t value; /* sigev_value */
    int overrun;    /* expiries merged into one pending signal */
    uint64_t ticks; /* timerfd: expiries not yet read */
    unsigned long seq;
    bool dead; /* timerfd closed: freed by the thread */
    bool cpu;  /* expiry on the process's CPU time, not the monotonic */
    int which; /* ITIMER_* */
};

struct linux_itimerspec {
    struct linux_timespec interval, value;
};

struct linux_itimerval {
    struct linux_timeval interval, value;
};

static int64_t clock_ns(int clk)
{
    struct linux_timespec ts;
    host_time_clock_gettime(clk, &ts);
    return ts.tv_sec * NS + ts.tv_nsec;
}

static int64_t mono_now(void) { return clock_ns(LINUX_CLOCK_MONOTONIC); }

/* ---- the timer thread ---- */

static void fire(struct proc *p, struct ktimer *t)
{
    struct linux_siginfo si;
    memset(&si, 0, sizeof(si));
    si.si_signo = t->signo;
    if (t->kind == T_ITIMER) {
        si.si_code = LINUX_SI_KERNEL;
    } else {
        si.si_code = SI_TIMER;
        struct { /* the timer part of siginfo's union */
            int32_t tid, overrun;
            uint64_t value;
        } tv = {t->id, t->overrun, t->value};
        memcpy(&si.u, &tv, sizeof(tv));
    }
    signal_send(p, t->notify == SIGEV_THREAD_ID ? t->tid : 0, t->signo, &si);
}

static void timer_main(void *arg)
{
    struct proc *p = arg;
    for (;;) {
        uint32_t seq = kevent_seq();
        int64_t mono = mono_now(), cpu = clock_ns(CLOCK_PROCESS_CPUTIME),
                next = INT64_MAX;
        struct ktimer fired[16];
        int nfired = 0;
        bool files = false;
        spin_lock(&p->lock);
        for (struct ktimer **pp = &p->timers; *pp;) {
            struct ktimer *t = *pp;
            if (t->dead) {
                *pp = t->next;
                kfree(t);
                continue;
            }
            int64_t now = t->cpu ? cpu : mono;
            if (t->expiry && t->expiry <= now &&
                (t->kind != T_POSIX || t->notify == SIGEV_NONE ||
                 nfired < 16)) {
                uint64_t n = 1;
                if (t->interval) {
                    n += (uint64_t)((now - t->expiry) / t->interval);
                    t->expiry += (int64_t)n * t->interval;
                } else {
                    t->expiry = 0;
                }
                if (t->kind == T_TIMERFD) {
                    t->ticks += n;
                    t->seq++;
                    files = true;
                } else if (t->notify != SIGEV_NONE) {
                    t->overrun = (int)MIN(n - 1, (uint64_t)INT32_MAX);
                    fired[nfired++] = *t;
                }
            }
            if (t->expiry && t->cpu)
                next = MIN(next, mono + 10 * 1000000LL); /* poll it */
            else if (t->expiry && t->expiry < next)
                next = t->expiry;
            pp = &t->next;
        }
        spin_unlock(&p->lock);
        for (int i = 0; i < nfired; i++)
            fire(p, &fired[i]);
        if (files)
            kevent_post();
        if (nfired || files)
            continue;
        int64_t wait = next == INT64_MAX ? 3600 * NS : next - mono_now();
        if (wait > 0)
            kevent_wait(seq, MIN(wait, 3600 * NS));
    }
}

/* Put t on the list (if new), and make sure the thread runs and looks. */
static long timer_arm(struct proc *p, struct ktimer *t, bool add)
{
    spin_lock(&p->lock);
    if (add) {
        t->next = p->timers;
        p->timers = t;
    }
    bool start = !p->timer_thread;
    p->timer_thread = true;
    spin_unlock(&p->lock);
    if (start) {
        long r = kthread_start(p, timer_main, p);
        if (r < 0) {
            spin_lock(&p->lock);
            p->timer_thread = false;
            spin_unlock(&p->lock);
            return -EAGAIN;
        }
    }
    kevent_post();
    return 0;
}

/* ---- helpers for the time formats ---- */

static bool ts_valid(const struct linux_timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NS;
}

static int64_t ts_ns(const struct linux_timespec *ts)
{
    return ts->tv_sec > INT64_MAX / NS - 1 ? INT64_MAX / 2
                                           : ts->tv_sec * NS + ts->tv_nsec;
}

static struct linux_timespec ns_ts(int64_t ns)
{
    return (struct linux_timespec){ns / NS, ns % NS};
}

/* What is left of t and its interval, read under p->lock. */
static struct linux_itimerspec remaining(const struct ktimer *t, int64_t now)
{
    struct linux_itimerspec v;
    memset(&v, 0, sizeof(v));
    if (!t)
        return v;
    v.interval = ns_ts(t->interval);
    if (t->expiry) {
        int64_t left = t->expiry - now;
        v.value = ns_ts(left > 0 ? left : 1);
    }
    return v;
}

/* Set t to value/interval (relative, or absolute on clk); under p->lock. */
static void set_time(struct ktimer *t, const struct linux_itimerspec *v,
                     bool absolute, int clk, int64_t now)
{
    t->interval = ts_ns(&v->interval);
    int64_t val = ts_ns(&v->value);
    if (!val) {
        t->expiry = 0;
    } else if (absolute) {
        int64_t d = val - clock_ns(clk);
        t->expiry = now + (d > 0 ? d : 0);
        if (!t->expiry)
            t->expiry = 1;
    } else {
        t->expiry = now + val;
    }
    t->ticks = 0;
    t->overrun = 0;
}

/* ---- ITIMER_REAL and alarm ---- */

#define ITIMER_REAL 0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF 2

static struct ktimer *itimer(struct proc *p, int which)
{
    for (struct ktimer *t = p->timers; t; t = t->next)
        if (t->kind == T_ITIMER && t->which == which)
            return t;
    return NULL;
}

static long set_itimer(int which, const struct linux_itimerspec *v,
                       struct linux_itimerspec *old)
{
    struct proc *p = current_proc();
    struct ktimer *fresh = kzalloc(sizeof(*fresh));
    if (!fresh)
        return -ENOMEM;
    bool cpu = which != ITIMER_REAL;
    int64_t now = cpu ? clock_ns(CLOCK_PROCESS_CPUTIME) : mono_now();
    spin_lock(&p->lock);
    struct ktimer *t = itimer(p, which);
    if (old)
        *old = remaining(t, now);
    bool add = !t;
    if (!t) {
        t = fresh;
        t->kind = T_ITIMER;
        t->which = which;
        t->cpu = cpu;
        t->signo = which == ITIMER_REAL      ? LINUX_SIGALRM
                   : which == ITIMER_VIRTUAL ? LINUX_SIGVTALRM
                                             : LINUX_SIGPROF;
        t->notify = SIGEV_SIGNAL;
    }
    set_time(t, v, false, LINUX_CLOCK_MONOTONIC, now);
    bool armed = t->expiry != 0;
    spin_unlock(&p->lock);
    if (!add)
        kfree(fresh);
    return armed || add ? timer_arm(p, t, add) : 0;
}

SYSCALL_DEFINE1(alarm, unsigned, seconds)
{
    struct linux_itimerspec v = {{0, 0}, {seconds, 0}}, old;
    long r = set_itimer(ITIMER_REAL, &v, &old);
    if (r < 0)
        return r;
    /* the seconds left, rounded to nearest, at least 1 if armed */
    long left = old.value.tv_sec + (old.value.tv_nsec >= NS / 2);
    return !left && old.value.tv_nsec ? 1 : left;
}

static bool tv_valid(const struct linux_timeval *tv)
{
    return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

SYSCALL_DEFINE3(setitimer, int, which, uptr_t, unew, uptr_t, uold)
{
    struct linux_itimerval nv;
    if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
        return -EINVAL;
    memset(&nv, 0, sizeof(nv));
    if (unew && copy_in(&nv, unew, sizeof(nv)) < 0)
        return -EFAULT;
    if (!tv_valid(&nv.interval) || !tv_valid(&nv.value))
        return -EINVAL;
    struct linux_itimerspec v = {
        {nv.interval.tv_sec, nv.interval.tv_usec * 1000},
        {nv.value.tv_sec, nv.value.tv_usec * 1000}};
    struct linux_itimerspec old;
    long r = set_itimer(which, &v, &old);
    if (r < 0)
        return r;
    struct linux_itimerval ov = {
        {old.interval.tv_sec, old.interval.tv_nsec / 1000},
        {old.value.tv_sec, (old.value.tv_nsec + 999) / 1000}};
    if (ov.value.tv_usec >= 1000000)
        ov.value.tv_sec++, ov.value.tv_usec -= 1000000;
    if (uold && copy_out(uold, &ov, sizeof(ov)) < 0)
        return -EFAULT;
    return 0;
}

SYSCALL_DEFINE2(getitimer, int, which, uptr_t, uval)
{
    struct proc *p = current_proc();
    if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
        return -EINVAL;
    int64_t now =
        which == ITIMER_REAL ? mono_now() : clock_ns(CLOCK_PROCESS_CPUTIME);
    spin_lock(&p->lock);
    struct linux_itimerspec v = remaining(itimer(p, which), now);
    spin_unlock(&p->lock);
    struct linux_itimerval tv = {{v.interval.tv_sec, v.interval.tv_nsec / 1000},
                                 {v.value.tv_sec, v.value.tv_nsec / 1000}};
    return copy_out(uval, &tv, sizeof(tv));
}

/* ---- POSIX timers ---- */

struct linux_sigevent {
    uint64_t value;
    int32_t signo, notify;
    int32_t tid;
    int32_t pad[11];
};

static bool clock_ok(int clk)
{
    return clk == LINUX_CLOCK_REALTIME || clk == LINUX_CLOCK_MONOTONIC ||
           clk == CLOCK_BOOTTIME;
}

SYSCALL_DEFINE3(timer_create, int, clk, uptr_t, usev, uptr_t, uid)
{
    struct proc *p = current_proc();
    struct linux_sigevent ev;
    if (!clock_ok(clk))
        return -EINVAL; /* CPU-time clocks are not kept */
    memset(&ev, 0, sizeof(ev));
    ev.signo = LINUX_SIGALRM;
    ev.notify = SIGEV_SIGNAL;
    if (usev && copy_in(&ev, usev, sizeof(ev)) < 0)
        return -EFAULT;
    if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE &&
        ev.notify != SIGEV_THREAD_ID)
        return -EINVAL;
    if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > LINUX_NSIG))
        return -EINVAL;
    if (ev.notify == SIGEV_THREAD_ID && !proc_has_thread(p, ev.tid))
        return -EINVAL;
    struct ktimer *t = kzalloc(sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->kind = T_POSIX;
    t->clock = clk;
    t->notify = ev.notify;
    t->signo = ev.signo;
    t->tid = ev.tid;
    spin_lock(&p->lock);
    t->id = p->next_timer_id++;
    t->value = usev ? ev.value : (uint64_t)t->id;
    t->next = p->timers;
    p->timers = t;
    spin_unlock(&p->lock);
    int32_t id = t->id;
    if (copy_out(uid, &id, sizeof(id)) < 0) {
        spin_lock(&p->lock);
        t->dead = true; /* the timer thread frees it, or nobody needs to */
        spin_unlock(&p->lock);
        return -EFAULT;
    }
    return 0;
}

static struct ktimer *find_posix(struct proc *p, int id)
{
    for (struct ktimer *t = p->timers; t; t = t->next)
        if (t->kind == T_POSIX && t->id == id && !t->dead)
            return t;
    return NULL;
}

SYSCALL_DEFINE4(timer_settime, int, id, int, flags, uptr_t, unew, uptr_t, uold)
{
    struct proc *p = current_proc();
    struct linux_itimerspec v, old;
    if (copy_in(&v, unew, sizeof(v)) < 0)
        return -EFAULT;
    if (!ts_valid(&v.interval) || !ts_valid(&v.value))
        return -EINVAL;
    int64_t now = mono_now();
    spin_lock(&p->lock);
    struct ktimer *t = find_posix(p, id);
    if (t) {
        old = remaining(t, now);
        set_time(t, &v, flags & TIMER_ABSTIME, t->clock, now);
    }
    spin_unlock(&p->lock);
    if (!t)
        return -EINVAL;
    if (uold && copy_out(uold, &old, sizeof(old)) < 0)
        return -EFAULT;
    return timer_arm(p, t, false);
}

SYSCALL_DEFINE2(timer_gettime, int, id, uptr_t, uval)
{
    struct proc *p = current_proc();
    spin_lock(&p->lock);
    struct ktimer *t = find_posix(p, id);
    struct linux_itimerspec v = remaining(t, mono_now());
    spin_unlock(&p->lock);
    if (!t)
        return -EINVAL;
    return copy_out(uval, &v, sizeof(v));
}

SYSCALL_DEFINE1(timer_getoverrun, int, id)
{
    struct proc *p = current_proc();
    spin_lock(&p->lock);
    struct ktimer *t = find_posix(p, id);
    int n = t ? t->overrun : -EINVAL;
    spin_unlock(&p->lock);
    return n;
}

SYSCALL_DEFINE1(timer_delete, int, id)
{
    struct proc *p = current_proc();
    spin_lock(&p->lock);
    struct ktimer *t = find_posix(p, id);
    if (t) {
        t->expiry = 0;
        t->dead = true; /* unlinked and freed by the timer thread */
    }
    bool thread = p->timer_thread;
    spin_unlock(&p->lock);
    if (!t)
        return -EINVAL;
    if (!thread) { /* never armed: nobody else will free it */
        spin_lock(&p->lock);
        for (struct ktimer **pp = &p->timers; *pp; pp = &(*pp)->next)
            if (*pp == t) {
                *pp = t->next;
                break;
            }
        spin_unlock(&p->lock);
        kfree(t);
    }
    return 0;
}

/* ---- timerfd ---- */

int nofile_limit(void);

static unsigned tfd_poll(struct file *f, unsigned long *seq)
{
    struct ktimer *t = f->priv;
    struct proc *p = current_proc();
    spin_lock(&p->lock);
    unsigned m = t->ticks ? POLLIN | POLLRDNORM : 0;
    if (seq)
        *seq = t->seq;
    spin_unlock(&p->lock);
    return m;
}

static long tfd_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
    struct ktimer *t = f->priv;
    struct proc *p = current_proc();
    (void)pos;
    if (len < 8)
        return -EINVAL;
    for (;;) {
        spin_lock(&p->lock);
        uint64_t n = t->ticks;
        t->ticks = 0;
        spin_unlock(&p->lock);
        if (n) {
            if (uaccess_copy(buf, &n, 8) < 0)
                return -EFAULT;
            return 8;
        }
        if (f->flags & LINUX_O_NONBLOCK)
            return -EAGAIN;
        long r = wait_file(f, POLLIN);
        if (r)
            return r;
    }
}

static void tfd_release(struct file *f)
{
    struct ktimer *t = f->priv;
    struct proc *p = current_proc();
    spin_lock(&p->lock);
    t->expiry = 0;
    t->dead = true;
    bool thread = p->timer_thread;
    if (!thread)
        for (struct ktimer **pp = &p->timers; *pp; pp = &(*pp)->next)
            if (*pp == t) {
                *pp = t->next;
                break;
            }
    spin_unlock(&p->lock);
    if (!thread)
        kfree(t);
}

static const struct file_ops tfd_fops = {
    .read = tfd_read,
    .poll = tfd_poll,
    .release = tfd_release,
    .anon_name = "[timerfd]",
};

static long tfd_get(int fd, struct file **out)
{
    struct file *f = fdt_get(current_proc()->fdt, fd);
    if (!f)
        return -EBADF;
    if (f->ops != &tfd_fops) {
        file_put(f);
        return -EINVAL;
    }
    *out = f;
    return 0;
}

SYSCALL_DEFINE2(timerfd_create, int, clk, int, flags)
{
    struct proc *p = current_proc();
    if (!clock_ok(clk))
        return -EINVAL;
    if (flags & ~(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK))
        return -EINVAL;
    struct ktimer *t = kzalloc(sizeof(*t));
    struct file *f =
        t ? file_alloc(&tfd_fops, LINUX_O_RDWR | (flags & LINUX_O_NONBLOCK))
          : NULL;
    if (!f) {
        kfree(t);
        return -ENOMEM;
    }
    t->kind = T_TIMERFD;
    t->clock = clk;
    f->priv = t;
    spin_lock(&p->lock);
    t->next = p->timers;
    p->timers = t;
    spin_unlock(&p->lock);
    long r = fdt_install(p->fdt, f, 0, nofile_limit(), flags & LINUX_O_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
}

SYSCALL_DEFINE4(timerfd_settime, int, fd, int, flags, uptr_t, unew, uptr_t,
                uold)
{
    struct proc *p = current_proc();
    struct linux_itimerspec v, old;
    struct file *f;
    if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
        return -EINVAL;
    long r = tfd_get(fd, &f);
    if (r)
        return r;
    if (copy_in(&v, unew, sizeof(v)) < 0) {
        file_put(f);
        return -EFAULT;
    }
    if (!ts_valid(&v.interval) || !ts_valid(&v.value)) {
        file_put(f);
        return -EINVAL;
    }
    struct ktimer *t = f->priv;
    int64_t now = mono_now();
    spin_lock(&p->lock);
    old = remaining(t, now);
    set_time(t, &v, flags & TFD_TIMER_ABSTIME, t->clock, now);
    t->seq++;
    spin_unlock(&p->lock);
    file_put(f);
    if (uold && copy_out(uold, &old, sizeof(old)) < 0)
        return -EFAULT;
    return timer_arm(p, t, false);
}

SYSCALL_DEFINE2(timerfd_gettime, int, fd, uptr_t, uval)
{
    struct proc *p = current_proc();
    struct file *f;
    long r = tfd_get(fd, &f);
    if (r)
        return r;
    struct ktimer *t = f->priv;
    spin_lock(&p->lock);
    struct linux_itimerspec v = remaining(t, mono_now());
    spin_unlock(&p->lock);
    file_put(f);
    return copy_out(uval, &v, sizeof(v));
}

/* execve: the POSIX timers go; the itimers and timerfds stay. */
void timers_exec(struct proc *p);
void timers_exec(struct proc *p)
{
    spin_lock(&p->lock);
    for (struct ktimer *t = p->timers; t; t = t->next)
        if (t->kind == T_POSIX) {
            t->expiry = 0;
            t->dead = true;
        }
    spin_unlock(&p->lock);
    kevent_post();
}
