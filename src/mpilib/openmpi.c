/* Open MPI: "Open MPI v4.1.4, package: ...". CUDA-aware when MPIX_Query_cuda_support() (its
 * mpi-ext.h extension) says 1. */
#include "config.h"
#include "mpilib.h"

#include <cjson/cJSON.h>
#include <mpi.h>
#include <string.h>
#ifdef HAVE_MPI_EXT_H
#include <mpi-ext.h>
#endif

int gx_mpilib_mpi_ext_cuda_aware(void)
{
#if defined(MPIX_CUDA_AWARE_SUPPORT) && MPIX_CUDA_AWARE_SUPPORT
    return 1;
#elif defined(MPIX_CUDA_AWARE_SUPPORT)
    return 0;
#else
    return -1;
#endif
}

static int openmpi_matches(const char *v)
{
    return strncmp(v, "Open MPI v", strlen("Open MPI v")) == 0;
}

static void openmpi_cuda_aware(const struct gx_mpilib_probe *p, struct gx_cuda_awareness *out)
{
    if (!p->query_cuda_support) {
        gx_mpilib_answer(out, GX_AWARE_UNKNOWN,
                         "Open MPI without MPIX_Query_cuda_support (built without its cuda "
                         "extension)");
        return;
    }
    if (p->query_cuda_support()) {
        gx_mpilib_answer(out, GX_AWARE_YES, "MPIX_Query_cuda_support() = 1 (Open MPI)");
        return;
    }
    if (p->mpi_ext_cuda_aware == 0)
        gx_mpilib_answer(out, GX_AWARE_NO,
                         "MPIX_Query_cuda_support() = 0: Open MPI built without CUDA "
                         "(MPIX_CUDA_AWARE_SUPPORT = 0)");
    else
        gx_mpilib_answer(out, GX_AWARE_NO, "MPIX_Query_cuda_support() = 0 at run time (Open MPI)");
}

/* The PML and the BTLs in use: the components still loaded after MPI_Init (unselected ones are
 * unloaded). "pml ob1" with "btl" lacking smcuda means device buffers go through the host. */
static void openmpi_transport(const char *version, cJSON *out)
{
    (void)version;
    cJSON *pml = gx_mpilib_loaded("mca_pml_", NULL, 0);
    cJSON *btl = gx_mpilib_loaded("mca_btl_", NULL, 0);
    /* "monitoring" and "v" wrap another PML: the one that carries data is the other. */
    const char *carrier = "unknown (components built into the library)";
    cJSON *p;
    cJSON_ArrayForEach(p, pml)
        if (strcmp(p->valuestring, "monitoring") != 0 && strcmp(p->valuestring, "v") != 0)
            carrier = p->valuestring;
    cJSON_AddStringToObject(out, "pml", carrier);
    cJSON_AddItemToObject(out, "pml_loaded", pml);
    cJSON_AddItemToObject(out, "btl", btl);
}

const struct gx_mpilib_ops gx_mpilib_openmpi = {
    .name = "Open MPI",
    .matches = openmpi_matches,
    .cuda_aware = openmpi_cuda_aware,
    .transport = openmpi_transport,
};
