/* Open MPI: "Open MPI v4.1.4, package: ...". CUDA-aware when MPIX_Query_cuda_support() (its
 * mpi-ext.h extension) says 1. */
#define _GNU_SOURCE 1 /* RTLD_DEFAULT */
#include "config.h"
#include "mpilib.h"

#include <dlfcn.h>
#include <stdio.h>
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

/* The PML Open MPI selected in MPI_Init. Its component structure is exported
 * (mca_pml_base_selected_component; OMPI_DECLSPEC in Open MPI 4 and 5) and begins, in both, with
 * three ints, the project name (16 bytes), three ints, the type name (32), three ints and the
 * component name (64): read only where the project and type names say "ompi" and "pml". This
 * works where the components are built into libmpi too, as in the Open MPI 5 kit. */
static int selected_pml(char *name, size_t len)
{
    const char *c = dlsym(RTLD_DEFAULT, "mca_pml_base_selected_component");
    if (!c || strcmp(c + 12, "ompi") != 0 || strcmp(c + 40, "pml") != 0 || !memchr(c + 84, 0, 64) ||
        !c[84])
        return 0;
    snprintf(name, len, "%s", c + 84);
    return 1;
}

/* The PML and, where components are shared objects, the BTLs still loaded after MPI_Init
 * (unselected ones are unloaded). "pml ob1" without smcuda among the BTLs means device buffers
 * go through the host. */
static void openmpi_transport(const char *version, cJSON *out)
{
    (void)version;
    char pml[64] = "unknown (Open MPI's selected PML could not be read)";
    selected_pml(pml, sizeof pml);
    cJSON_AddStringToObject(out, "pml", pml);
    cJSON_AddItemToObject(out, "btl", gx_mpilib_loaded("mca_btl_", NULL, 0));
}

static int openmpi_over_ucx(const char *version)
{
    (void)version;
    char pml[64];
    return selected_pml(pml, sizeof pml) && strcmp(pml, "ucx") == 0;
}

const struct gx_mpilib_ops gx_mpilib_openmpi = {
    .name = "Open MPI",
    .matches = openmpi_matches,
    .cuda_aware = openmpi_cuda_aware,
    .transport = openmpi_transport,
    .over_ucx = openmpi_over_ucx,
};
