/* UCX's log captured for the protocols' tables (ucx_log.h). */
#define _GNU_SOURCE 1 /* RTLD_DEFAULT */
#include "config.h"
#include "ucx_log.h"

#include "mpilib.h"

#include <errno.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char log_path[512]; /* the log gx_ucx_log_end reads; "" when none */
static int log_ours;       /* gpuxfer named it (and removes it), not the user */
static char log_dir[480];  /* ours: the private directory it is in, removed with it */
static int log_fd = -1;    /* ours, once its names are gone (gx_ucx_log_opened) */

/* The user's UCX_LOG_FILE with UCX's %p (pid) and %h (host) substituted; 0 when it has
 * another substitution, which gpuxfer cannot know. */
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

void gx_ucx_log_begin(char **argv)
{
    /* "used" prints its tables when UCX cleans up, after MPI_Finalize: left to UCX. */
    if (gx_ucx_bool(getenv("UCX_PROTO_INFO")) != 1)
        return;
    const char *user = getenv("UCX_LOG_FILE");
    const char *ours = getenv("GX_UCX_LOG_DIR"); /* set before the restart below */
    if (user && *user && ours && *ours && strlen(ours) < sizeof log_dir) {
        snprintf(log_dir, sizeof log_dir, "%s", ours);
        log_ours = snprintf(log_path, sizeof log_path, "%s", user) < (int)sizeof log_path;
        unsetenv("GX_UCX_LOG_DIR"); /* not for the processes this one starts */
        return;
    }
    if (user && *user) { /* theirs: read there and left there */
        if (!user_log_path(user, log_path, sizeof log_path))
            log_path[0] = 0;
        return;
    }
    /* A directory of this process's own (mkdtemp, mode 0700): a name in the shared folder
     * could be taken first by another user, as a symlink UCX would write through or a FIFO
     * it would block on. */
    const char *tmp = getenv("TMPDIR");
    char pattern[512];
    int n = snprintf(log_dir, sizeof log_dir, "%s/gpuxfer-ucx.XXXXXX",
                     tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (n <= 0 || (size_t)n >= sizeof log_dir || !mkdtemp(log_dir)) {
        fprintf(stderr, "gpuxfer: note: no private folder for UCX's log (mkdtemp '%s': %s): "
                "UCX's tables go to stdout\n", log_dir, strerror(errno));
        log_dir[0] = 0;
        return;
    }
    snprintf(pattern, sizeof pattern, "%s/log", log_dir);
    if (setenv("UCX_LOG_FILE", pattern, 1) != 0 || setenv("GX_UCX_LOG_DIR", log_dir, 1) != 0) {
        gx_ucx_log_unlink_named();
        return;
    }
    snprintf(log_path, sizeof log_path, "%s", pattern);
    log_ours = 1;
    /* UCX reads where its log goes once, when libucs is loaded: by MPI_Init where the MPI
     * library loads UCX as a component (Open MPI 4's pml ucx), before main where the library
     * links it (Open MPI 5's libopen-pal). Then the program starts again with the variable
     * set, as mpirun would have started it (the pid stays: mpirun still knows the rank). */
    if (dlsym(RTLD_DEFAULT, "ucs_log_flush") && argv && argv[0]) {
        execv("/proc/self/exe", argv);
        fprintf(stderr, "gpuxfer: note: UCX is loaded before main and restarting with "
                        "UCX_LOG_FILE failed (%s): UCX's tables go to stdout\n", strerror(errno));
        gx_ucx_log_unlink_named();
        log_path[0] = 0;
        log_ours = 0;
    }
}

void gx_ucx_log_opened(void)
{
    if (!log_ours || !log_path[0])
        return;
    log_fd = open(log_path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    gx_ucx_log_unlink_named();
}

void gx_ucx_log_unlink_named(void)
{
    if (log_ours && log_path[0])
        unlink(log_path);
    if (log_dir[0])
        rmdir(log_dir);
    log_dir[0] = 0;
}

char *gx_ucx_log_end(void)
{
    if (!log_path[0])
        return NULL;
    /* UCX writes its log through stdio without flushing (it flushes at errors and at its
     * cleanup, after MPI_Finalize): its own flush, when UCX is loaded at all. */
    void (*flush)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "ucs_log_flush");
    if (flush)
        flush();
    /* Ours through the descriptor kept when its name went; the user's where it is. */
    FILE *f = log_fd >= 0 ? (lseek(log_fd, 0, SEEK_SET) == 0 ? fdopen(log_fd, "r") : NULL)
              : log_ours && log_dir[0] == 0 ? NULL
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
    gx_ucx_log_unlink_named();
    log_path[0] = 0; /* once: the early and the normal end both come here */
    return text;
}
