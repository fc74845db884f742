#include "config.h"
#include "gpu.h"
#include "topo.h"

#ifdef HAVE_CUDA
#include <cuda_runtime_api.h>
#endif
#include <stdio.h>
#include <string.h>

/* The context made before MPI_Init, apart from gpu.c, which chooses the GPU after it. */
static int early_device = -1;
static char early_why[200] = "no CUDA context before MPI_Init: not asked for";

int gx_gpu_early_device(void)
{
    return early_device;
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
