/* LD_PRELOAD shim for tests/shared_output.sh: a file system without O_TMPFILE (NFS, several
 * parallel file systems). open() with O_TMPFILE fails with EOPNOTSUPP, as there. With
 * GX_SHIM_LINK=PATH and GX_SHIM_VICTIM=FILE set, the first such call also places a symbolic link
 * to FILE at every name PATH.tmp.<pid>.0 .. .3 the writer may pick next, as someone racing it
 * would: the writer must neither follow them nor remove them. */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void plant_links(void)
{
    static int planted;
    const char *at = getenv("GX_SHIM_LINK"), *victim = getenv("GX_SHIM_VICTIM");
    if (planted || !at || !victim)
        return;
    planted = 1;
    for (int n = 0; n < 4; n++) {
        char name[4300];
        snprintf(name, sizeof name, "%s.tmp.%ld.%d", at, (long)getpid(), n);
        if (symlink(victim, name) != 0)
            perror("no_tmpfile shim: symlink");
    }
}

static int refused(int flags)
{
    if ((flags & O_TMPFILE) != O_TMPFILE)
        return 0;
    plant_links();
    errno = EOPNOTSUPP;
    return 1;
}

#define SHIM_OPEN(name, ...)                                                                  \
    {                                                                                         \
        mode_t mode = 0;                                                                      \
        if (flags & (O_CREAT | O_TMPFILE)) {                                                  \
            va_list ap;                                                                       \
            va_start(ap, flags);                                                              \
            mode = (mode_t)va_arg(ap, int);                                                   \
            va_end(ap);                                                                       \
        }                                                                                     \
        if (refused(flags))                                                                   \
            return -1;                                                                        \
        static int (*real)();                                                                 \
        if (!real)                                                                            \
            real = (int (*)())dlsym(RTLD_NEXT, name);                                         \
        return real(__VA_ARGS__, flags, mode);                                                \
    }

int open(const char *path, int flags, ...) SHIM_OPEN("open", path)
int open64(const char *path, int flags, ...) SHIM_OPEN("open64", path)
int openat(int dir, const char *path, int flags, ...) SHIM_OPEN("openat", dir, path)
int openat64(int dir, const char *path, int flags, ...) SHIM_OPEN("openat64", dir, path)
