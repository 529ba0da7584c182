/* SPDX-License-Identifier: MIT */
/* namei.c: the path walk, after path_resolution(7). Components are looked
   up one by one; "." stays, ".." steps up (never above the process root,
   and from a mount's root to its mountpoint first); a mountpoint is
   crossed into the newest mount on it; a symlink is followed when it is
   not the last component, when the name ends in '/', or when the caller
   asks (LOOKUP_FOLLOW), at most 40 times in one walk (ELOOP). The caller
   holds vfs_lock. */
#include "abi/linux/fcntl.h"
#include "file.h"
#include "syscall/uaccess.h"
#include "task/task.h"
#include "vfs.h"

#define MAX_LINKS 40

struct walk {
    struct path cur; /* holds a reference */
    int links;
    /* where the last name looked up was found (a reference, or NULL):
       open() keeps it so /proc/self/fd can name a file later */
    struct path dir;
    char name[NAME_MAX + 1];
};

static void forget_dir(struct walk *w)
{
    inode_put(w->dir.inode);
    w->dir.inode = NULL;
}

static void walk_done(struct walk *w)
{
    forget_dir(w);
    inode_put(w->cur.inode);
}

static void set_cur(struct walk *w, struct mount *mnt, struct inode *inode)
{
    inode_get(inode);
    inode_put(w->cur.inode);
    w->cur.mnt = mnt;
    w->cur.inode = inode;
}

static bool at_root(const struct path *p)
{
    const struct path *root = &current_proc()->root;
    return p->inode == root->inode && p->mnt == root->mnt;
}

static long step_up(struct walk *w)
{
    while (!at_root(&w->cur) && w->cur.inode == w->cur.mnt->root) {
        if (!w->cur.mnt->parent)
            return 0; /* the namespace's root */
        set_cur(w, w->cur.mnt->parent, w->cur.mnt->mountpoint);
    }
    if (at_root(&w->cur))
        return 0;
    struct inode *parent;
    long r = w->cur.inode->iops->lookup(w->cur.inode, "..", &parent);
    if (r)
        return r;
    set_cur(w, w->cur.mnt, parent);
    inode_put(parent);
    return 0;
}

static void cross_mounts(struct walk *w)
{
    struct mount *m;
    while ((m = mount_at(w->cur.mnt, w->cur.inode)))
        set_cur(w, m, m->root);
}

static long walk(struct walk *w, const char *name, unsigned flags, char *last,
                 bool *trailing);

/* Follow the symlink `link`, found in the directory w->cur. */
static long follow(struct walk *w, struct inode *link)
{
    if (++w->links > MAX_LINKS)
        return -ELOOP;
    if (link->iops->get_link) {
        struct path to;
        long r = link->iops->get_link(link, &to);
        if (r == 0) {
            set_cur(w, to.mnt, to.inode);
            path_put(&to);
        }
        return r;
    }
    char *target = kmalloc(LINUX_PATH_MAX);
    if (!target)
        return -ENOMEM;
    long n = link->iops->readlink(link, target, LINUX_PATH_MAX - 1);
    long r = n;
    if (n >= 0) {
        target[n] = 0;
        r = n ? walk(w, target, LOOKUP_FOLLOW, NULL, NULL) : -ENOENT;
    }
    kfree(target);
    return r;
}

/* One component other than "." and "..". */
static long step_into(struct walk *w, const char *comp, bool follow_it)
{
    struct inode *child;
    long r = w->cur.inode->iops->lookup(w->cur.inode, comp, &child);
    if (r)
        return r;
    if (s_islnk(child->mode) && follow_it && !mount_at(w->cur.mnt, child)) {
        r = follow(w, child);
        inode_put(child);
        return r;
    }
    forget_dir(w);
    w->dir = w->cur;
    inode_get(w->dir.inode);
    strcpy(w->name, comp);
    set_cur(w, w->cur.mnt, child);
    inode_put(child);
    cross_mounts(w);
    return 0;
}

static long walk(struct walk *w, const char *name, unsigned flags, char *last,
                 bool *trailing)
{
    const char *p = name;
    if (*p == '/') {
        set_cur(w, current_proc()->root.mnt, current_proc()->root.inode);
        while (*p == '/')
            p++;
    }
    while (*p) {
        const char *c = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - c);
        bool slash = *p == '/';
        while (*p == '/')
            p++;
        bool is_last = !*p;
        if (len > NAME_MAX)
            return -ENAMETOOLONG;
        char comp[NAME_MAX + 1];
        memcpy(comp, c, len);
        comp[len] = 0;
        if (!s_isdir(w->cur.inode->mode))
            return -ENOTDIR;
        if (is_last && last) {
            memcpy(last, comp, len + 1);
            *trailing = slash;
            return 0;
        }
        long r = inode_permission(w->cur.inode, 1);
        if (r)
            return r;
        if (!strcmp(comp, "..")) {
            forget_dir(w);
            r = step_up(w);
        } else if (strcmp(comp, "."))
            r = step_into(w, comp,
                          !is_last || slash || (flags & LOOKUP_FOLLOW));
        if (r)
            return r;
        if (is_last && slash && !s_isdir(w->cur.inode->mode))
            return -ENOTDIR;
    }
    if (last) { /* the name had no last component: "/" or "" */
        strcpy(last, ".");
        *trailing = true;
    }
    if ((flags & LOOKUP_DIRECTORY) && !s_isdir(w->cur.inode->mode))
        return -ENOTDIR;
    return 0;
}

/* Where a walk starts: the root, the cwd, or dfd's directory. */
static long start(struct walk *w, int dfd, const char *name, unsigned flags)
{
    struct proc *p = current_proc();
    w->links = 0;
    w->cur.inode = NULL;
    w->dir.inode = NULL;
    if (!*name && !(flags & LOOKUP_EMPTY))
        return -ENOENT;
    if (*name == '/' || dfd == LINUX_AT_FDCWD) {
        const struct path *from = *name == '/' ? &p->root : &p->cwd;
        w->cur = *from;
        inode_get(w->cur.inode);
        return 0;
    }
    struct file *f = fdt_get(p->fdt, dfd);
    if (!f)
        return -EBADF;
    long r = 0;
    if (!f->inode)
        r = -ENOTDIR;
    else if (*name && !s_isdir(f->inode->mode))
        r = -ENOTDIR;
    else {
        w->cur.mnt = f->mnt;
        w->cur.inode = inode_get(f->inode);
    }
    file_put(f);
    return r;
}

long path_lookup_named(int dfd, const char *name, unsigned flags,
                       struct path *out, struct path *dir, char *last)
{
    struct walk w;
    long r = start(&w, dfd, name, flags);
    if (r == 0)
        r = walk(&w, name, flags, NULL, NULL);
    if (r) {
        walk_done(&w);
        return r;
    }
    *out = w.cur;
    if (dir && w.dir.inode) {
        *dir = w.dir;
        strcpy(last, w.name);
    } else {
        if (dir)
            dir->inode = NULL;
        forget_dir(&w);
    }
    return 0;
}

long path_lookup(int dfd, const char *name, unsigned flags, struct path *out)
{
    return path_lookup_named(dfd, name, flags, out, NULL, NULL);
}

long path_parent(int dfd, const char *name, struct path *parent, char *last,
                 bool *trailing_slash)
{
    struct walk w;
    long r = start(&w, dfd, name, 0);
    if (r == 0)
        r = walk(&w, name, 0, last, trailing_slash);
    if (r == 0 && !s_isdir(w.cur.inode->mode))
        r = -ENOTDIR;
    forget_dir(&w);
    if (r) {
        inode_put(w.cur.inode);
        return r;
    }
    *parent = w.cur;
    return 0;
}

/* The same two walks from a given directory instead of a dfd. */
static long walk_at(const struct path *base, const char *name, unsigned flags,
                    char *last, bool *slash, struct path *out)
{
    struct walk w = {.cur = *base, .links = 0};
    inode_get(w.cur.inode);
    long r = *name ? walk(&w, name, flags, last, slash) : -ENOENT;
    if (r == 0 && last && !s_isdir(w.cur.inode->mode))
        r = -ENOTDIR;
    forget_dir(&w);
    if (r) {
        inode_put(w.cur.inode);
        return r;
    }
    *out = w.cur;
    return 0;
}

long path_lookup_at(const struct path *base, const char *name, unsigned flags,
                    struct path *out)
{
    return walk_at(base, name, flags, NULL, NULL, out);
}

long path_parent_at(const struct path *base, const char *name,
                    struct path *parent, char *last, bool *slash)
{
    return walk_at(base, name, 0, last, slash, parent);
}

long user_path(int dfd, uptr_t uname, unsigned flags, struct path *out)
{
    char *name = kmalloc(LINUX_PATH_MAX);
    if (!name)
        return -ENOMEM;
    long r = copy_str_in(name, uname, LINUX_PATH_MAX);
    if (r >= 0) {
        vfs_lock();
        r = path_lookup(dfd, name, flags, out);
        vfs_unlock();
    }
    kfree(name);
    return r;
}

struct find_name {
    struct dir_ctx ctx;
    uint64_t ino;
    char name[NAME_MAX + 1];
    bool found;
};

static bool match_ino(struct dir_ctx *ctx, const char *name, size_t len,
                      uint64_t ino, unsigned type)
{
    struct find_name *fn = (struct find_name *)ctx;
    (void)type;
    if (ino != fn->ino || (len == 1 && name[0] == '.') ||
        (len == 2 && name[0] == '.' && name[1] == '.'))
        return true;
    memcpy(fn->name, name, len);
    fn->name[len] = 0;
    fn->found = true;
    return false;
}

/* The name under which child is found in dir. */
static long name_in(struct inode *dir, struct inode *child, char *out)
{
    struct find_name fn = {.ctx = {match_ino, 0}, .ino = child->ino};
    struct file f = {.inode = dir};
    if (!dir->fops || !dir->fops->iterate)
        return -ENOENT;
    long r = dir->fops->iterate(&f, &fn.ctx);
    if (r < 0)
        return r;
    if (!fn.found)
        return -ENOENT;
    strcpy(out, fn.name);
    return 0;
}

long path_name(const struct path *p, char *buf, size_t size)
{
    if (!s_isdir(p->inode->mode))
        return -ENOENT; /* a file's name is not in its inode (see open.c) */
    struct walk w = {.cur = *p};
    size_t at = size - 1;
    long r = 0;
    inode_get(w.cur.inode);
    buf[at] = 0;
    for (;;) {
        while (!at_root(&w.cur) && w.cur.inode == w.cur.mnt->root &&
               w.cur.mnt->parent)
            set_cur(&w, w.cur.mnt->parent, w.cur.mnt->mountpoint);
        if (at_root(&w.cur) || w.cur.inode == w.cur.mnt->root)
            break;
        struct inode *child = inode_get(w.cur.inode);
        char name[NAME_MAX + 1];
        r = step_up(&w);
        if (r == 0)
            r = name_in(w.cur.inode, child, name);
        inode_put(child);
        if (r)
            break;
        size_t len = strlen(name);
        if (len + 1 > at) {
            r = -ENAMETOOLONG;
            break;
        }
        at -= len;
        memcpy(buf + at, name, len);
        buf[--at] = '/';
    }
    walk_done(&w);
    if (r)
        return r;
    if (!buf[at]) /* the root itself */
        buf[--at] = '/';
    memmove(buf, buf + at, size - at);
    return (long)(size - at); /* length including the NUL */
}
