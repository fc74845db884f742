#define _GNU_SOURCE 1 /* RTLD_DEFAULT */
#include "config.h"
#include "mpilib.h"

#include "gx.h"

#include <dlfcn.h>
#include <mpi.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

void gx_mpilib_answer(struct gx_cuda_awareness *out, enum gx_aware aware, const char *fmt, ...)
{
    va_list ap;
    out->aware = aware;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof out->why, fmt, ap);
    va_end(ap);
}

static void env_switch(const struct gx_mpilib_probe *p, const char *var, const char *lib,
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

int gx_ucx_bool(const char *v)
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

static void ucx_memtype_rule(const struct gx_mpilib_probe *p, struct gx_cuda_awareness *out)
{
    if (out->aware != GX_AWARE_YES || !p->over_ucx || p->ucm_cuda_loaded)
        return;
    char on[96] = "";
    for (size_t i = 0; i < GX_ARRAY_LEN(ucx_hookless_vars); i++) {
        const char *name = ucx_hookless_vars[i];
        const char *v = p->env ? p->env(name) : NULL;
        if (gx_ucx_bool(v) == 0)
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

void gx_mpilib_cuda_aware(const struct gx_mpilib_probe *p, struct gx_cuda_awareness *out)
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

void gx_mpilib_probe_fill(struct gx_mpilib_probe *p, char *buf, size_t len)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int n = 0;
    if (MPI_Get_library_version(lib, &n) != MPI_SUCCESS)
        lib[0] = '\0';
    snprintf(buf, len, "%s", lib);
    /* Resolved at run time: one binary asks whichever library it runs on. */
    *p = (struct gx_mpilib_probe){
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

void gx_mpilib_startup_notice(const struct gx_mpilib_probe *p, char *buf, size_t len)
{
    const struct gx_mpilib_ops *lib = gx_mpilib_find(p->version);
    if (len)
        buf[0] = '\0';
    if (lib && lib->startup_notice && len)
        lib->startup_notice(p, buf, len);
}

void gx_mpilib_transport(const char *library_version, struct gx_mpi_transport *out)
{
    const struct gx_mpilib_ops *lib = gx_mpilib_find(library_version);
    memset(out, 0, sizeof *out);
    snprintf(out->library, sizeof out->library, "%s", lib ? lib->name : "unknown");
    if (lib && lib->transport)
        lib->transport(library_version, out);
    gx_mpilib_ucx(&out->ucx);
}
