#define _GNU_SOURCE 1 /* RTLD_DEFAULT, memfd_create */
#include "config.h"
#include "ucx_log.h"

#include "mpilib.h"

#include <errno.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char log_path[512]; /* the user's log, which gx_ucx_log_end reads; "" when none */
static int log_fd = -1;    /* ours: an anonymous file, UCX's log through /proc/self/fd */

/* The user's UCX_LOG_FILE with UCX's %p and %h substituted; 0 for another substitution. */
static int user_log_path(const char *pattern, char *out, size_t len)
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    size_t n = 0;
    for (const char *c = pattern; *c && n + 1 < len; c++) {
        int w = 0;
        if (c[0] == '%' && c[1] == 'p')
            w = snprintf(out + n, len - n, "%ld", (long)getpid());
        else if (c[0] == '%' && c[1] == 'h')
            w = snprintf(out + n, len - n, "%s", host);
        else if (c[0] == '%')
            return 0;
        else
            out[n++] = *c;
        if (w) {
            n += (size_t)w < len - n ? (size_t)w : len - n - 1;
            c++;
        }
    }
    out[n] = 0;
    return 1;
}

static int inherited_fd(void)
{
    const char *v = getenv("GX_UCX_LOG_FD");
    char *end;
    long fd = v && *v ? strtol(v, &end, 10) : -1;
    unsetenv("GX_UCX_LOG_FD"); /* not for the processes this one starts */
    return fd >= 0 && fd < 65536 && v && *end == 0 && fcntl((int)fd, F_GETFD) >= 0 ? (int)fd : -1;
}

void gx_ucx_log_begin(char **argv)
{
    /* "used" prints its tables when UCX cleans up, after MPI_Finalize: left to UCX. */
    if (gx_ucx_bool(getenv("UCX_PROTO_INFO")) != 1)
        return;
    const char *user = getenv("UCX_LOG_FILE");
    int fd = inherited_fd();
    if (fd >= 0) { /* started again below, the variable set */
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        log_fd = fd;
        return;
    }
    if (user && *user) { /* theirs: read there and left there */
        if (!user_log_path(user, log_path, sizeof log_path))
            log_path[0] = 0;
        return;
    }
    /* No name in a shared folder that another user could take first, and nothing left behind. */
    fd = memfd_create("gpuxfer-ucx-log", 0);
    char path[64], num[16];
    if (fd < 0) {
        fprintf(stderr, "gpuxfer: note: no file for UCX's log (memfd_create: %s): UCX's tables "
                "go to stdout\n", strerror(errno));
        return;
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    snprintf(num, sizeof num, "%d", fd);
    if (setenv("UCX_LOG_FILE", path, 1) != 0) {
        close(fd);
        return;
    }
    /* UCX reads its log's place when libucs is loaded, before main where the library links it:
     * then start again with the variable set (the pid stays). */
    if (dlsym(RTLD_DEFAULT, "ucs_log_flush") && argv && argv[0]) {
        if (setenv("GX_UCX_LOG_FD", num, 1) == 0)
            execv("/proc/self/exe", argv);
        fprintf(stderr, "gpuxfer: note: UCX is loaded before main and restarting with "
                        "UCX_LOG_FILE failed (%s): UCX's tables go to stdout\n", strerror(errno));
        unsetenv("UCX_LOG_FILE");
        unsetenv("GX_UCX_LOG_FD");
        close(fd);
        return;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    log_fd = fd;
}

char *gx_ucx_log_end(void)
{
    if (!log_path[0] && log_fd < 0)
        return NULL;
    /* UCX writes its log through stdio without flushing until its cleanup, after MPI_Finalize. */
    void (*flush)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "ucs_log_flush");
    if (flush)
        flush();
    /* Ours from the start (UCX's own descriptor has its own offset); the user's where it is. */
    FILE *f = log_fd >= 0 ? (lseek(log_fd, 0, SEEK_SET) == 0 ? fdopen(log_fd, "r") : NULL)
                          : fopen(log_path, "r");
    if (log_fd >= 0 && !f)
        close(log_fd);
    log_fd = -1;
    char *text = NULL;
    if (f) {
        size_t cap = 0;
        if (getdelim(&text, &cap, '\0', f) <= 0) {
            free(text);
            text = NULL;
        }
        fclose(f);
    }
    log_path[0] = 0; /* once: the early and the normal end both come here */
    return text;
}
