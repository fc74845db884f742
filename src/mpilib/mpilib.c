#define _GNU_SOURCE 1 /* RTLD_DEFAULT, RTLD_NOLOAD, memfd_create */
#include "config.h"
#include "mpilib.h"
#include "ucx_log.h"

#include "gx.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

/* Cray MPICH moves GPU buffers only when MPICH_GPU_SUPPORT_ENABLED=1 at run time; MVAPICH2 (and
 * its GDR build) only when MV2_USE_CUDA=1. */
const struct gx_mpilib_ops gx_mpilib_cray_mpich = {
    .name = "Cray MPICH",
    .within = {"CRAY MPICH version"},
    .gpu_switch = "MPICH_GPU_SUPPORT_ENABLED",
};
const struct gx_mpilib_ops gx_mpilib_mvapich2 = {
    .name = "MVAPICH2",
    .starts = "MVAPICH2",
    .gpu_switch = "MV2_USE_CUDA",
};

const struct gx_mpilib_ops *const gx_mpilib_table[] = {
    &gx_mpilib_cray_mpich, /* "CRAY MPICH version ..." */
    &gx_mpilib_mvapich2,   /* "MVAPICH2 Version :..." */
    &gx_mpilib_mpich,      /* "MPICH Version:..." */
    &gx_mpilib_openmpi,    /* "Open MPI v..." */
};
const int gx_mpilib_count = (int)GX_ARRAY_LEN(gx_mpilib_table);

static int lib_matches(const struct gx_mpilib_ops *lib, const char *v)
{
    if (lib->starts)
        return strncmp(v, lib->starts, strlen(lib->starts)) == 0;
    for (size_t i = 0; i < GX_ARRAY_LEN(lib->within) && lib->within[i]; i++)
        if (strstr(v, lib->within[i]))
            return 1;
    return 0;
}

const struct gx_mpilib_ops *gx_mpilib_find(const char *library_version)
{
    for (int i = 0; library_version && i < gx_mpilib_count; i++)
        if (lib_matches(gx_mpilib_table[i], library_version))
            return gx_mpilib_table[i];
    return NULL;
}

static void env_switch(const struct gx_mpilib_facts *p, const char *var, const char *lib,
                       struct gx_cuda_awareness *out)
{
    const char *v = p->env ? p->env(var) : NULL;
    if (!v)
        gx_mpilib_answer(out, GX_AWARE_NO, "%s unset (%s: GPU support off)", var, lib);
    else if (strcmp(v, "1") == 0)
        gx_mpilib_answer(out, GX_AWARE_YES, "%s=1 (%s)", var, lib);
    else
        gx_mpilib_answer(out, GX_AWARE_NO, "%s=%.32s (%s: GPU support only with %s=1)", var, v,
                         lib, var);
}

/* Without UCX's CUDA hooks (libucm_cuda), its memory-type cache takes device buffers for host
 * memory and its registration cache misses cudaFree. UCX reads these before main. */
static const char *const ucx_hookless_vars[] = {"UCX_MEMTYPE_CACHE", "UCX_RCACHE_ENABLE"};

/* A UCX boolean as UCX reads it: 1 (y, yes, on, 1, true), 0 (n, no, off, 0, false), else -1. */
static int ucx_bool(const char *v)
{
    static const struct {
        const char *text;
        int value;
    } words[] = {{"n", 0},  {"no", 0},  {"off", 0}, {"0", 0},   {"false", 0},
                 {"y", 1},  {"yes", 1}, {"on", 1},  {"1", 1},   {"true", 1}};
    for (size_t i = 0; v && i < GX_ARRAY_LEN(words); i++)
        if (strcasecmp(v, words[i].text) == 0) /* any case, as UCX */
            return words[i].value;
    return -1;
}

static void ucx_memtype_rule(const struct gx_mpilib_facts *p, struct gx_cuda_awareness *out)
{
    if (out->aware != GX_AWARE_YES || !p->over_ucx || p->ucm_cuda_loaded)
        return;
    char on[96] = "";
    for (size_t i = 0; i < GX_ARRAY_LEN(ucx_hookless_vars); i++) {
        const char *name = ucx_hookless_vars[i];
        const char *v = p->env ? p->env(name) : NULL;
        if (ucx_bool(v) == 0)
            continue;
        size_t used = strlen(on);
        snprintf(on + used, sizeof on - used, "%s%s %s", used ? ", " : "", name,
                 v ? "on" : "unset (on)");
    }
    if (!on[0])
        return;
    char was[sizeof out->why];
    snprintf(was, sizeof was, "%s", out->why);
    gx_mpilib_answer(out, GX_AWARE_NO, "%.80s, but over UCX without its CUDA hooks (libucm_cuda "
                     "not loaded) and with %s: UCX would copy device buffers as host memory and "
                     "reuse a freed buffer's registration; launch with UCX_MEMTYPE_CACHE=n "
                     "UCX_RCACHE_ENABLE=n", was, on);
}

void gx_mpilib_cuda_aware(const struct gx_mpilib_facts *p, struct gx_cuda_awareness *out)
{
    const struct gx_mpilib_ops *lib = gx_mpilib_find(p->version);
    if (lib) {
        if (lib->gpu_switch)
            env_switch(p, lib->gpu_switch, lib->name, out);
        else
            lib->cuda_aware(p, out);
        ucx_memtype_rule(p, out);
        return;
    }
    const char *v = p->version ? p->version : "";
    size_t first_line = strcspn(v, "\n");
    gx_mpilib_answer(out, GX_AWARE_UNKNOWN, "an MPI library gpuxfer has no rule for (\"%.*s\")",
                     (int)(first_line < 64 ? first_line : 64), v);
}

int gx_mpilib_decide(const struct gx_cuda_awareness *a, int assume, char *why, size_t len)
{
    if (a->aware == GX_AWARE_YES) {
        snprintf(why, len, "%s", a->why);
        return 1;
    }
    int unknown = a->aware == GX_AWARE_UNKNOWN;
    if (assume) {
        snprintf(why, len, "--assume-cuda-aware%s%s%s", unknown ? " (unknown: " : ", over ",
                 a->why, unknown ? ")" : "");
        return 1;
    }
    snprintf(why, len, "%s%s", unknown ? "unknown: " : "", a->why);
    return 0;
}

static const char *real_env(const char *name)
{
    return getenv(name);
}

void gx_mpilib_facts_fill(struct gx_mpilib_facts *p, char *buf, size_t len)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int n = 0;
    if (MPI_Get_library_version(lib, &n) != MPI_SUCCESS)
        lib[0] = '\0';
    snprintf(buf, len, "%s", lib);
    /* Resolved at run time: one binary asks whichever library it runs on. */
    *p = (struct gx_mpilib_facts){
        .version = buf,
        .env = real_env,
        .query_cuda_support = (int (*)(void))dlsym(RTLD_DEFAULT, "MPIX_Query_cuda_support"),
        .gpu_query_support = (int (*)(int, int *))dlsym(RTLD_DEFAULT, "MPIX_GPU_query_support"),
        .mpi_ext_cuda_aware = gx_mpilib_mpi_ext_cuda_aware(),
    };
    const struct gx_mpilib_ops *l = gx_mpilib_find(buf);
    p->over_ucx = l && l->over_ucx && l->over_ucx(buf);
    p->ucm_cuda_loaded = gx_mpilib_loaded("libucm_cuda", NULL, NULL, 0) > 0;
}

int gx_mpilib_device_route(const char *library_version, char *buf, size_t len)
{
    const struct gx_mpilib_ops *lib = gx_mpilib_find(library_version);
    if (len)
        buf[0] = '\0';
    return lib && lib->device_route ? lib->device_route(library_version, buf, len) : -1;
}

int gx_mpilib_device_coll_defect(const char *library_version, const char *collective,
                                 int in_place, char *buf, size_t len)
{
    const struct gx_mpilib_ops *lib = gx_mpilib_find(library_version);
    if (len)
        buf[0] = '\0';
    return lib && lib->device_coll_defect &&
           lib->device_coll_defect(library_version, collective, in_place, buf, len);
}

void gx_mpilib_startup_notice(const struct gx_mpilib_facts *p, char *buf, size_t len)
{
    const struct gx_mpilib_ops *lib = gx_mpilib_find(p->version);
    if (len)
        buf[0] = '\0';
    if (lib && lib->startup_notice && len)
        lib->startup_notice(p, buf, len);
}

static void setting(const char *text, const char *name, struct gx_ucx_facts *out)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s=", name);
    const char *at = strstr(text, key);
    if (at && out->nsettings < GX_UCX_SETTINGS) {
        at += strlen(key);
        int n = (int)strcspn(at, "\n");
        snprintf(out->settings[out->nsettings].name, sizeof out->settings[0].name, "%s", name);
        snprintf(out->settings[out->nsettings].value, sizeof out->settings[0].value, "%.*s", n,
                 at);
        out->nsettings++;
    }
}

static void ucx_facts(struct gx_ucx_facts *u)
{
    char path[512];
    memset(u, 0, sizeof *u);
    gx_mpilib_loaded("libucp.so", NULL, path, sizeof path);
    void *ucp = path[0] ? dlopen(path, RTLD_LAZY | RTLD_NOLOAD) : NULL;
    if (!ucp)
        return;
    u->loaded = 1;
    const char *(*version)(void) = (const char *(*)(void))dlsym(ucp, "ucp_get_version_string");
    int (*read)(const char *, const char *, void **) =
        (int (*)(const char *, const char *, void **))dlsym(ucp, "ucp_config_read");
    void (*print)(const void *, FILE *, const char *, int) =
        (void (*)(const void *, FILE *, const char *, int))dlsym(ucp, "ucp_config_print");
    void (*release)(void *) = (void (*)(void *))dlsym(ucp, "ucp_config_release");
    if (version) {
        u->has_version = 1;
        snprintf(u->version, sizeof u->version, "%s", version());
    }
    void *cfg = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *f = NULL;
    /* 0: UCS_OK; 1: UCS_CONFIG_PRINT_CONFIG */
    if (read && print && release && read(NULL, NULL, &cfg) == 0 &&
        (f = open_memstream(&text, &len))) {
        fputc('\n', f);
        print(cfg, f, NULL, 1);
        fclose(f);
        static const char *const names[] = {"UCX_TLS", "UCX_NET_DEVICES", "UCX_MEMTYPE_CACHE",
                                            "UCX_RNDV_THRESH", "UCX_PROTO_ENABLE",
                                            "UCX_RCACHE_ENABLE"};
        for (size_t i = 0; text && i < sizeof names / sizeof *names; i++)
            setting(text, names[i], u);
    }
    if (cfg && release)
        release(cfg);
    free(text);
    gx_mpilib_loaded("libuct_", &u->modules, NULL, 0);
    dlclose(ucp);
}

void gx_mpilib_transport(const char *library_version, struct gx_mpi_transport *out)
{
    const struct gx_mpilib_ops *lib = gx_mpilib_find(library_version);
    memset(out, 0, sizeof *out);
    snprintf(out->library, sizeof out->library, "%s", lib ? lib->name : "unknown");
    if (lib && lib->transport)
        lib->transport(library_version, out);
    ucx_facts(&out->ucx);
}

/* UCX's log, captured so that UCX_PROTO_INFO's tables reach the report, not the table's stdout. */
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
    if (ucx_bool(getenv("UCX_PROTO_INFO")) != 1)
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
