#include "config.h"
#include "gpu.h"
#include "gpu_state.h"
#include "mpilib.h"
#include "topo.h"

#ifdef HAVE_CUDA
#include "cuda_util.h"
#include <cuda_runtime_api.h>
#endif

/* Whether MPI moves device buffers: the library's own rule, or --assume-cuda-aware. */
static void detect_cuda_aware(struct gx_job *job, const struct gx_global_opts *g)
{
    static char why[400];
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    struct gx_mpilib_probe probe;
    struct gx_cuda_awareness answer;
    gx_mpilib_probe_fill(&probe, version, sizeof version);
    gx_mpilib_cuda_aware(&probe, &answer);
    job->cuda_aware = gx_mpilib_decide(&answer, g->assume_cuda_aware, why, sizeof why);
    job->cuda_aware_why = why;
    static char notice[512];
    if (job->gpu >= 0) /* the notices known are of the library's CUDA support */
        gx_mpilib_startup_notice(&probe, notice, sizeof notice);
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

int gx_gpu_init(struct gx_job *job, const struct gx_global_opts *g, struct gx_err *err)
{
    job->gpu = -1;
    int rc = gx_topo_setup(job, g, err);
    detect_cuda_aware(job, g);
    if (job->gpu >= 0)
        gx_gpu_absent_mark("");
    else if (job->topo)
        gx_gpu_absent_mark(job->topo->why_no_gpu);
    return rc;
}
