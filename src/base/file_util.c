#define _GNU_SOURCE 1 /* O_TMPFILE */
#include "config.h"
#include "file_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

int gx_append_whole(int fd, off_t *end, const char *buf, size_t len)
{
    int e = lseek(fd, *end, SEEK_SET) < 0 ? errno : write_all(fd, buf, len);
    if (e) {
        /* A full disk may take part of the line: give it back (the write's errno is the answer). */
        if (ftruncate(fd, *end) != 0 || lseek(fd, *end, SEEK_SET) < 0)
            fprintf(stderr, "gpuxfer: cannot cut a partial line off the results file: %s\n",
                    strerror(errno));
        return e;
    }
    *end += (off_t)len;
    return 0;
}

int gx_cut_partial_line(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return errno;
    if (!S_ISREG(st.st_mode))
        return 0;
    char buf[4096]; /* back a block at a time to the last newline (none: cut to nothing) */
    off_t end = st.st_size;
    while (end > 0) {
        size_t n = end < (off_t)sizeof buf ? (size_t)end : sizeof buf;
        ssize_t r = pread(fd, buf, n, end - (off_t)n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != (ssize_t)n)
            return r < 0 ? errno : EIO;
        const char *nl = memrchr(buf, '\n', n);
        if (nl) {
            end -= (off_t)n - (off_t)(nl - buf) - 1;
            break;
        }
        end -= (off_t)n;
    }
    return end == st.st_size || ftruncate(fd, end) == 0 ? 0 : errno;
}

int gx_env_name(const char *var, char *buf, size_t len)
{
    const char *v = getenv(var);
    size_t n = 0;
    for (; v && v[n] && n < GX_ENV_NAME_MAX && n + 1 < len; n++) {
        unsigned char c = (unsigned char)v[n];
        /* '.' never first or doubled: no '/', "..", newline or control reaches a file name. */
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '-' || (c == '.' && n > 0 && v[n - 1] != '.');
        buf[n] = keep ? (char)c : '_';
    }
    if (len > 0)
        buf[n] = '\0';
    return n > 0;
}

int gx_open_regular(const char *path)
{
    /* O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st = {0};
    if (fd < 0)
        return -1;
    int fl = fcntl(fd, F_GETFL);
    if (fstat(fd, &st) != 0 || fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0 ||
        !S_ISREG(st.st_mode)) {
        int e = S_ISREG(st.st_mode) ? errno : EINVAL;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int fsync_dir_of(const char *path)
{
    char copy[4200];
    snprintf(copy, sizeof copy, "%s", path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int e = fsync(fd) != 0 && errno != EINVAL ? errno : 0; /* some file systems cannot */
    close(fd);
    return e;
}

/* A file system without locks (NFS with nolock) answers these: the claim then holds without. */
static int no_locks(int e)
{
    return e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS || e == EINVAL;
}

static int lock_nb(int fd)
{
    return flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno == EAGAIN ? EWOULDBLOCK : errno;
}

/* A new file of our own beside path (never through another's link), locked at once. */
static int open_temp(const char *path, char *tmp, size_t len)
{
    for (int n = 0; n < 100; n++) {
        snprintf(tmp, len, "%s.tmp.%ld.%d", path, (long)getpid(), n);
        int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0) {
            int e = lock_nb(fd);
            if (!e || no_locks(e))
                return fd;
            close(fd); /* locked by someone else between our create and our lock: not ours */
            errno = e;
            return -1;
        }
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* What is at path now: EBUSY (locked by another), EEXIST (not to replace), EAGAIN (it changed). */
static int judge_existing(const char *path, int replace, int locks, int *old)
{
    struct stat os, ps;
    *old = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (*old < 0)
        return errno == ENOENT ? EAGAIN : errno == ELOOP ? (replace ? 0 : EEXIST) : errno;
    int e = fstat(*old, &os) != 0 ? errno : !S_ISREG(os.st_mode) ? EEXIST : 0;
    if (!e && locks)
        e = lock_nb(*old) == EWOULDBLOCK ? EBUSY : 0;
    if (!e && (lstat(path, &ps) != 0 || !same_file(&os, &ps)))
        e = EAGAIN; /* replaced between our open and our lock */
    if (!e && !replace && (os.st_size > 0 || !locks))
        e = EEXIST; /* without locks an empty one may be a live run's that has not written yet */
    if (e) {
        close(*old);
        *old = -1;
    }
    return e;
}

int gx_claim_file(const char *path, int replace, int *fd_out)
{
    char tmp[4300];
    for (int attempt = 0; attempt < 16; attempt++) {
        int fd = open_temp(path, tmp, sizeof tmp);
        if (fd < 0)
            return errno;
        int locks = flock(fd, LOCK_EX | LOCK_NB) == 0; /* ours already: does it hold? */
        int e = link(tmp, path) == 0 ? 0 : errno, old = -1;
        if (e == EEXIST) {
            e = judge_existing(path, replace, locks, &old);
            if (!e && rename(tmp, path) != 0) /* atomic: nobody sees the name unlocked */
                e = errno;
            if (old >= 0)
                close(old);
        }
        unlink(tmp); /* after a link a second name, after a rename none */
        if (!e) {
            *fd_out = fd;
            return 0;
        }
        close(fd);
        if (e != EAGAIN)
            return e;
    }
    return EAGAIN;
}

int gx_claim_release(const char *path, int fd)
{
    struct stat fs, ps;
    int ours = fstat(fd, &fs) == 0 && lstat(path, &ps) == 0 && same_file(&fs, &ps);
    int e = ours && unlink(path) != 0 ? errno : 0;
    close(fd);
    return e;
}

void gx_remove_stale_temps(const char *path)
{
    char copy[4200], prefix[4200];
    snprintf(copy, sizeof copy, "%s", path);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    snprintf(prefix, sizeof prefix, "%s.tmp.", base);
    DIR *dir = opendir(dirname(copy));
    if (!dir)
        return;
    int dfd = dirfd(dir);
    for (struct dirent *de; (de = readdir(dir));) {
        if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
            continue;
        int fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat fs, ps;
        /* Unlocked: its writer is gone (the kernel drops a lock with its last descriptor). */
        if (fd >= 0 && fstat(fd, &fs) == 0 && S_ISREG(fs.st_mode) && lock_nb(fd) == 0 &&
            fstatat(dfd, de->d_name, &ps, AT_SYMLINK_NOFOLLOW) == 0 && same_file(&fs, &ps))
            unlinkat(dfd, de->d_name, 0);
        if (fd >= 0)
            close(fd);
    }
    closedir(dir);
}

/* An unnamed file (O_TMPFILE) leaves nothing behind after a kill; else a locked temporary. */
int gx_durable_open(struct gx_durable *d, const char *path)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    d->tmp[0] = '\0';
    d->named = 0;
    d->fd = -1;
#ifdef O_TMPFILE
    if (access("/proc/self/fd", X_OK) == 0)
        d->fd = open(dirname(dir), O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
    if (d->fd >= 0) {
        int e = lock_nb(d->fd); /* before it gets a name (name_it) */
        if (e && !no_locks(e)) {
            close(d->fd);
            return e;
        }
        return 0;
    }
#endif
    d->fd = open_temp(path, d->tmp, sizeof d->tmp);
    d->named = d->fd >= 0;
    return d->fd < 0 ? errno : 0;
}

int gx_durable_write(struct gx_durable *d, const char *buf, size_t len)
{
    return write_all(d->fd, buf, len);
}

/* The unnamed file gets a name for the rename over the target, for microseconds. */
static int name_it(struct gx_durable *d, const char *path)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", d->fd);
    for (int n = 0; n < 100; n++) {
        snprintf(d->tmp, sizeof d->tmp, "%s.tmp.%ld.%d", path, (long)getpid(), n);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, d->tmp, AT_SYMLINK_FOLLOW) == 0) {
            d->named = 1;
            return 0;
        }
        if (errno != EEXIST) /* a link or file someone placed there stays as it is */
            return errno;
    }
    return EEXIST;
}

static int rename_noreplace(const char *tmp, const char *path)
{
#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return errno;
#endif
    if (link(tmp, path) != 0) /* NFS, older kernels: a second name, exclusive */
        return errno;
    unlink(tmp);
    return 0;
}

int gx_file_id(const char *path, struct gx_file_id *id)
{
    struct stat st;
    *id = (struct gx_file_id){0};
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : errno;
    *id = (struct gx_file_id){.exists = 1, .dev = st.st_dev, .ino = st.st_ino};
    return 0;
}

int gx_durable_commit(struct gx_durable *d, const char *path, const struct gx_file_id *was)
{
    int e = fsync(d->fd) != 0 && errno != EINVAL ? errno : 0;
    if (!e && !d->named)
        e = name_it(d, path); /* while the descriptor is open: it is the file's only way in */
    struct gx_file_id now;
    if (!e)
        e = gx_file_id(path, &now);
    if (!e && now.exists && !(was->exists && was->dev == now.dev && was->ino == now.ino))
        e = EEXIST; /* not the file the run was allowed to replace: it stays */
    else if (!e)
        e = now.exists ? (rename(d->tmp, path) != 0 ? errno : 0) : rename_noreplace(d->tmp, path);
    if (close(d->fd) != 0 && !e)
        e = errno;
    d->fd = -1;
    if (e) {
        gx_durable_abandon(d);
        return e;
    }
    d->named = 0;
    return fsync_dir_of(path);
}

void gx_durable_abandon(struct gx_durable *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    if (d->named)
        unlink(d->tmp);
    d->named = 0;
}
