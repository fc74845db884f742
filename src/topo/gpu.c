#include "config.h"
#include "gpu.h"
#include "mpilib.h"
#include "topo.h"

#ifdef HAVE_CUDA
#include "cuda_util.h"
#include <cuda_runtime_api.h>
#endif
#include <stdio.h>
#include <string.h>

static int aware_of(const struct gx_mpilib_facts *facts, const struct gx_global_opts *g,
                    const char **why)
{
    static char text[400];
    struct gx_cuda_awareness answer;
    gx_mpilib_cuda_aware(facts, &answer);
    int aware = gx_mpilib_decide(&answer, g->assume_cuda_aware, text, sizeof text);
    *why = text;
    return aware;
}

int gx_cuda_aware(const struct gx_global_opts *g, const char **why)
{
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    struct gx_mpilib_facts facts;
    gx_mpilib_facts_fill(&facts, version, sizeof version);
    return aware_of(&facts, g, why);
}

/* Whether MPI moves device buffers: the library's own rule, or --assume-cuda-aware. */
static void detect_cuda_aware(struct gx_job *job, const struct gx_global_opts *g)
{
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    struct gx_mpilib_facts facts;
    gx_mpilib_facts_fill(&facts, version, sizeof version);
    job->cuda_aware = aware_of(&facts, g, &job->cuda_aware_why);
    static char notice[512];
    if (job->gpu >= 0) /* the notices known are of the library's CUDA support */
        gx_mpilib_startup_notice(&facts, notice, sizeof notice);
    job->mpi_notice = notice;
}

int gx_gpu_visible(const struct gx_global_opts *g, int dry_run)
{
    if (g->fake_gpus[0])
        return dry_run;
#ifdef HAVE_CUDA
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError(); /* none visible: not an error, the host run */
        return 0;
    }
    return n > 0;
#else
    return 0;
#endif
}

const char *gx_gpu_none_why(const struct gx_global_opts *g)
{
    if (g->fake_gpus[0])
        return "fake GPUs measure nothing";
#ifdef HAVE_CUDA
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        cudaGetLastError(); /* asked again for its words: not an error of the run */
        cudaError_t de;
        if (gx_cuda_driver_version(&de) == 0) /* as --version says it (cuda_util.h) */
            return GX_NO_CUDA_DRIVER;
        return cudaGetErrorString(e);
    }
    return n > 0 ? "a CUDA device is visible" : "no CUDA device";
#else
    return "gpuxfer was built without CUDA";
#endif
}

int gx_gpu_start_fails(const struct gx_global_opts *g)
{
#ifdef HAVE_CUDA
    cudaError_t de;
    return !g->fake_gpus[0] && gx_cuda_driver_version(&de) <= 0;
#else
    (void)g;
    return 1;
#endif
}

/* The context made before MPI_Init, apart from the GPU chosen after it (topo_setup.c). */
static int early_device = -1;
static char early_why[200] = "no CUDA context before MPI_Init: not asked for";

int gx_gpu_init(struct gx_job *job, const struct gx_global_opts *g, struct gx_err *err)
{
    job->gpu = -1;
    job->early_gpu = early_device;
    int rc = gx_topo_setup(job, g, err);
    detect_cuda_aware(job, g);
    if (job->gpu >= 0)
        gx_gpu_absent_mark("");
    else if (job->topo)
        gx_gpu_absent_mark(job->topo->why_no_gpu);
    return rc;
}

const char *gx_gpu_early_why(void)
{
    return early_why;
}

#ifdef HAVE_CUDA
/* An option after which no context is made now: the GPU may be another, or nothing is measured. */
static const char *context_option(int argc, char **argv)
{
    static const char *const opts[] = {"--gpu-map", "--scenario", "--fake-gpus", "--topology-xml",
                                       "--help", "-h", "--version", "--dry-run"};
    for (int i = 1; i < argc; i++)
        for (size_t k = 0; k < GX_ARRAY_LEN(opts); k++) {
            size_t n = strlen(opts[k]);
            if (strncmp(argv[i], opts[k], n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '='))
                return opts[k];
        }
    return NULL;
}
#endif

void gx_gpu_early_context(int argc, char **argv, const char *no_gpu)
{
#ifdef HAVE_CUDA
    const char *var, *opt = context_option(argc, argv);
    int local = gx_launcher_local_rank(&var), n = 0;
    if (no_gpu) {
        snprintf(early_why, sizeof early_why, "%s", no_gpu);
        return;
    }
    if (opt) {
        snprintf(early_why, sizeof early_why, "no CUDA context before MPI_Init: %s given", opt);
        return;
    }
    if (local < 0) {
        snprintf(early_why, sizeof early_why, "no CUDA context before MPI_Init: the launcher "
                 "gave no node-local rank");
        return;
    }
    cudaError_t ce = cudaGetDeviceCount(&n);
    if (ce == cudaSuccess && n > 0)
        ce = cudaSetDevice(local % n);
    if (ce == cudaSuccess && n > 0)
        ce = cudaFree(NULL); /* the context itself, current on this thread */
    if (ce != cudaSuccess || n == 0) {
        snprintf(early_why, sizeof early_why, "no CUDA context before MPI_Init: %s",
                 ce != cudaSuccess ? cudaGetErrorString(ce) : "no device visible");
        cudaGetLastError(); /* not sticky: the choice after MPI_Init says it again */
        return;
    }
    early_device = local % n;
    snprintf(early_why, sizeof early_why, "CUDA context made before MPI_Init on GPU %d (%s=%d)",
             early_device, var, local);
#else
    (void)argc, (void)argv, (void)no_gpu;
    snprintf(early_why, sizeof early_why, "no CUDA in this build");
#endif
}
