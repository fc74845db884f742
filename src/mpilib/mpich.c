/* MPICH: from 4.0 it says whether it moves CUDA buffers; an older one cannot be asked. */
#include "config.h"
#include "mpilib.h"

#include <mpi.h>
#include <stdio.h>
#include <string.h>

/* MPICH's mpi.h value, checked where that header is there (the call is resolved at run time). */
#define GX_MPIX_GPU_SUPPORT_CUDA 0
#ifdef MPIX_GPU_SUPPORT_CUDA
_Static_assert(MPIX_GPU_SUPPORT_CUDA == GX_MPIX_GPU_SUPPORT_CUDA, "MPIX_GPU_SUPPORT_CUDA");
#endif

static void mpich_cuda_aware(const struct gx_mpilib_facts *p, struct gx_cuda_awareness *out)
{
    if (!p->gpu_query_support) {
        gx_mpilib_answer(out, GX_AWARE_UNKNOWN,
                         "MPICH without MPIX_GPU_query_support (before 4.0) cannot be asked");
        return;
    }
    int supported = 0, rc = p->gpu_query_support(GX_MPIX_GPU_SUPPORT_CUDA, &supported);
    if (rc != MPI_SUCCESS)
        gx_mpilib_answer(out, GX_AWARE_UNKNOWN,
                         "MPIX_GPU_query_support(CUDA) failed (error %d, MPICH)", rc);
    else
        gx_mpilib_answer(out, supported ? GX_AWARE_YES : GX_AWARE_NO,
                         "MPIX_GPU_query_support(CUDA) = %d (MPICH)", supported ? 1 : 0);
}

static void mpich_device(const char *version, char *dev, size_t len)
{
    const char *d = strstr(version, "MPICH Device:");
    dev[0] = '\0';
    if (!d)
        return;
    d += strlen("MPICH Device:");
    d += strspn(d, " \t");
    size_t n = strcspn(d, " \t\n");
    snprintf(dev, len, "%.*s", (int)(n < len - 1 ? n : len - 1), d);
}

static void mpich_transport(const char *version, struct gx_mpi_transport *out)
{
    mpich_device(version, out->device, sizeof out->device);
}

static int mpich_over_ucx(const char *version)
{
    char dev[64];
    mpich_device(version, dev, sizeof dev);
    return strstr(dev, "ucx") != NULL;
}

const struct gx_mpilib_ops gx_mpilib_mpich = {
    .name = "MPICH",
    .within = {"MPICH Version:", "MPICH2 Version:"},
    .cuda_aware = mpich_cuda_aware,
    .transport = mpich_transport,
    .over_ucx = mpich_over_ucx,
};
