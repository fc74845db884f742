#define _GNU_SOURCE 1 /* O_TMPFILE */
#include "config.h"
#include "file_util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
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
        /* A full disk may take part of the line: give it back, so the file ends with a
         * complete line (the errno of the write is the answer, not this cleanup's). */
        if (ftruncate(fd, *end) != 0 || lseek(fd, *end, SEEK_SET) < 0)
            fprintf(stderr, "gpuxfer: cannot cut a partial line off the results file: %s\n",
                    strerror(errno));
        return e;
    }
    *end += (off_t)len;
    return 0;
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

/* The data goes to an unnamed file in the target's directory (O_TMPFILE) when the file system
 * and /proc allow it: a process killed in the middle of the write (SIGKILL, the OOM killer)
 * leaves nothing behind. Otherwise to the named PATH.tmp.<pid>. */
int gx_durable_open(struct gx_durable *d, const char *path)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    snprintf(d->tmp, sizeof d->tmp, "%s.tmp.%ld", path, (long)getpid());
    d->named = 0;
    d->fd = -1;
#ifdef O_TMPFILE
    if (access("/proc/self/fd", X_OK) == 0)
        d->fd = open(dirname(dir), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
#endif
    if (d->fd < 0) {
        d->named = 1;
        d->fd = open(d->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    }
    return d->fd < 0 ? errno : 0;
}

int gx_durable_write(struct gx_durable *d, const char *buf, size_t len)
{
    return write_all(d->fd, buf, len);
}

/* The unnamed file gets the name d->tmp, for the rename over the target (a link cannot replace
 * a file): for microseconds, not for the whole write. */
static int name_it(struct gx_durable *d)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", d->fd);
    if (unlink(d->tmp) != 0 && errno != ENOENT) /* a stale one of a process with this pid */
        return errno;
    if (linkat(AT_FDCWD, proc, AT_FDCWD, d->tmp, AT_SYMLINK_FOLLOW) != 0)
        return errno;
    d->named = 1;
    return 0;
}

int gx_durable_commit(struct gx_durable *d, const char *path)
{
    int e = fsync(d->fd) != 0 && errno != EINVAL ? errno : 0;
    if (!e && !d->named)
        e = name_it(d); /* while the descriptor is open: it is the file's only way in */
    if (close(d->fd) != 0 && !e)
        e = errno;
    d->fd = -1;
    if (!e && rename(d->tmp, path) != 0)
        e = errno;
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
