#include "config.h"
#include "gx_revision.h" /* generated at build time (Makefile.am), never committed */
#include "versions.h"

#include "mpilib.h"

#include <mpi.h>
#include <string.h>
#include <sys/utsname.h>
#ifdef HAVE_CUDA
#include "cuda_util.h"
#endif
#ifdef HAVE_NCCL
#include <nccl.h>
#endif

struct gx_kv {
    const char *key, *label;
    char value[384]; /* uname: 4 fields of up to 65 bytes */
};

#ifdef HAVE_CUDA
static void cuda_version_text(int v, char *buf, size_t len)
{
    snprintf(buf, len, "%d.%d", v / 1000, v % 1000 / 10);
}
#endif

static void build_kvs(struct gx_kv kv[], int *n)
{
    int i = 0;
    kv[i] = (struct gx_kv){"version", "version", PACKAGE_VERSION};
    kv[++i] = (struct gx_kv){"revision", "revision", GX_REVISION};
    kv[++i] = (struct gx_kv){"cuda", "CUDA toolkit", "no"};
#ifdef HAVE_CUDA
    cuda_version_text(CUDART_VERSION, kv[i].value, sizeof kv[i].value);
#endif
    kv[++i] = (struct gx_kv){"nccl", "NCCL headers", "no"};
#ifdef HAVE_NCCL
    snprintf(kv[i].value, sizeof kv[i].value, "%d.%d.%d", NCCL_MAJOR, NCCL_MINOR, NCCL_PATCH);
#endif
    kv[++i] = (struct gx_kv){"mpi_ext_h", "mpi-ext.h", "no"};
#ifdef HAVE_MPI_EXT_H
    snprintf(kv[i].value, sizeof kv[i].value, "yes");
#endif
    int ext = gx_mpilib_mpi_ext_cuda_aware();
    kv[++i] = (struct gx_kv){"mpix_cuda_aware_support", "MPIX_CUDA_AWARE_SUPPORT", ""};
    snprintf(kv[i].value, sizeof kv[i].value, "%s",
             ext > 0 ? "1" : ext == 0 ? "0" : "not defined");
    *n = i + 1;
}

static void cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown (no 'model name' in /proc/cpuinfo)");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        const char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) != 0 || !colon)
            continue;
        colon += 1 + strspn(colon + 1, " \t");
        snprintf(buf, len, "%.*s", (int)strcspn(colon, "\n"), colon);
        break;
    }
    fclose(f);
}

static void os_text(char *buf, size_t len)
{
    struct utsname u;
    if (uname(&u) != 0)
        snprintf(buf, len, "unknown (uname failed)");
    else
        snprintf(buf, len, "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
}

#ifdef HAVE_CUDA
static void cuda_runtime_kvs(struct gx_kv *driver, struct gx_kv *runtime)
{
    cudaError_t e;
    int v = gx_cuda_driver_version(&e);
    if (v < 0)
        snprintf(driver->value, sizeof driver->value, "unknown (cudaDriverGetVersion: %s)",
                 cudaGetErrorString(e));
    else if (v == 0)
        snprintf(driver->value, sizeof driver->value, "none (%s)", GX_NO_CUDA_DRIVER);
    else
        cuda_version_text(v, driver->value, sizeof driver->value);
    e = cudaRuntimeGetVersion(&v);
    if (e != cudaSuccess)
        snprintf(runtime->value, sizeof runtime->value, "unknown (cudaRuntimeGetVersion: %s)",
                 cudaGetErrorString(e));
    else
        cuda_version_text(v, runtime->value, sizeof runtime->value);
}
#endif

int gx_mpi_library(char *buf, size_t len)
{
    char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    int n = 0, rc = MPI_Get_library_version(lib, &n);
    lib[strcspn(lib, "\n")] = '\0'; /* Open MPI appends build details on further lines */
    snprintf(buf, len, "%s", lib);
    return rc;
}

static void software_kvs(struct gx_kv kv[], int *n)
{
    int i = 0;
    kv[i] = (struct gx_kv){"os", "OS", ""};
    os_text(kv[i].value, sizeof kv[i].value);
    kv[++i] = (struct gx_kv){"cpu_model", "CPU", ""};
    cpu_model(kv[i].value, sizeof kv[i].value);
    kv[++i] = (struct gx_kv){"cuda_driver", "CUDA driver", "none (built without CUDA)"};
    kv[++i] = (struct gx_kv){"cuda_runtime", "CUDA runtime", "none (built without CUDA)"};
#ifdef HAVE_CUDA
    cuda_runtime_kvs(&kv[i - 1], &kv[i]);
#endif
    kv[++i] = (struct gx_kv){"nccl", "NCCL", "none (built without NCCL)"};
#ifdef HAVE_NCCL
    int v = 0;
    ncclResult_t r = ncclGetVersion(&v);
    if (r != ncclSuccess)
        snprintf(kv[i].value, sizeof kv[i].value, "unknown (ncclGetVersion: %s)",
                 ncclGetErrorString(r));
    else /* NCCL_VERSION_CODE: X*1000+Y*100+Z before 2.9, X*10000+Y*100+Z since */
        snprintf(kv[i].value, sizeof kv[i].value, "%d.%d.%d", v >= 20900 ? v / 10000 : v / 1000,
                 v >= 20900 ? v / 100 % 100 : v / 100 % 10, v % 100);
#endif
    kv[++i] = (struct gx_kv){"mpi_library", "MPI", ""};
    int major = 0, minor = 0;
    if (gx_mpi_library(kv[i].value, sizeof kv[i].value) != MPI_SUCCESS)
        snprintf(kv[i].value, sizeof kv[i].value, "unknown (MPI_Get_library_version failed)");
    kv[++i] = (struct gx_kv){"mpi_standard", "MPI standard", ""};
    if (MPI_Get_version(&major, &minor) != MPI_SUCCESS)
        snprintf(kv[i].value, sizeof kv[i].value, "unknown (MPI_Get_version failed)");
    else
        snprintf(kv[i].value, sizeof kv[i].value, "%d.%d", major, minor);
    *n = i + 1;
}

enum { GX_MAX_KV = 16 };

static void kvs_each(void (*fill)(struct gx_kv[], int *),
                     void (*put)(void *ctx, const char *key, const char *value), void *ctx)
{
    struct gx_kv kv[GX_MAX_KV];
    int n = 0;
    fill(kv, &n);
    for (int i = 0; i < n; i++)
        put(ctx, kv[i].key, kv[i].value);
}

void gx_build_each(void (*put)(void *ctx, const char *key, const char *value), void *ctx)
{
    kvs_each(build_kvs, put, ctx);
}

void gx_software_each(void (*put)(void *ctx, const char *key, const char *value), void *ctx)
{
    kvs_each(software_kvs, put, ctx);
}

static void kvs_print(FILE *out, const char *title, int first,
                      void (*fill)(struct gx_kv[], int *))
{
    struct gx_kv kv[GX_MAX_KV];
    int n = 0;
    fill(kv, &n);
    fprintf(out, "%s:\n", title);
    for (int i = first; i < n; i++)
        fprintf(out, "  %-24s %s\n", kv[i].label, kv[i].value);
}

void gx_version_print(FILE *out)
{
    fprintf(out, "%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
    kvs_print(out, "build", 1, build_kvs);
    kvs_print(out, "this machine", 0, software_kvs);
}
