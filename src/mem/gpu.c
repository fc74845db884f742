#include "config.h"
#include "gpu.h"
#include "topo.h"

#ifdef HAVE_MPI_EXT_H
#include <mpi-ext.h>
#endif
#ifdef HAVE_CUDA
#include <cuda_runtime_api.h>
#endif
#include <string.h>

static char absent_why[256] = "no GPU chosen yet";

const char *gx_gpu_absent_why(void)
{
    return absent_why;
}

static void detect_cuda_aware(struct gx_job *job, const struct gx_global_opts *g)
{
#if defined(MPIX_CUDA_AWARE_SUPPORT) && MPIX_CUDA_AWARE_SUPPORT
    job->cuda_aware = MPIX_Query_cuda_support();
    job->cuda_aware_why = job->cuda_aware ? "MPIX_Query_cuda_support() = 1"
                                          : "MPIX_Query_cuda_support() = 0 at run time";
#elif defined(MPIX_CUDA_AWARE_SUPPORT)
    job->cuda_aware = 0;
    job->cuda_aware_why = "the MPI library was built without CUDA support "
                          "(MPIX_CUDA_AWARE_SUPPORT = 0)";
#else
    job->cuda_aware = 0;
    job->cuda_aware_why = "the MPI library offers no CUDA-awareness query (no "
                          "MPIX_CUDA_AWARE_SUPPORT in mpi-ext.h)";
#endif
    if (!job->cuda_aware && g->assume_cuda_aware) {
        job->cuda_aware = 1;
        job->cuda_aware_why = "--assume-cuda-aware";
    }
}

int gx_gpu_init(struct gx_job *job, const struct gx_global_opts *g, struct gx_err *err)
{
    job->gpu = -1;
    /* Chooses the GPU, sets it (before any MPI call that may touch CUDA) and binds. */
    int rc = gx_topo_setup(job, g, err);
    detect_cuda_aware(job, g);
    if (job->gpu >= 0)
        absent_why[0] = '\0';
    else if (job->topo)
        snprintf(absent_why, sizeof absent_why, "%s", job->topo->why_no_gpu);
    return rc;
}

void gx_gpu_fini(struct gx_job *job)
{
    gx_topo_fini(job);
}
