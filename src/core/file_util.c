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

int gx_write_file_durable(const char *path, const char *tmp, const char *text, size_t len)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return errno;
    int e = write_all(fd, text, len);
    if (!e && fsync(fd) != 0 && errno != EINVAL)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e) {
        unlink(tmp);
        return e;
    }
    return fsync_dir_of(path);
}
