/* Cray MPICH: moves GPU buffers only when MPICH_GPU_SUPPORT_ENABLED=1 at run time. */
#include "config.h"
#include "mpilib.h"

#include <string.h>

static int cray_mpich_matches(const char *v)
{
    return strstr(v, "CRAY MPICH version") != NULL;
}

const struct gx_mpilib_ops gx_mpilib_cray_mpich = {
    .name = "Cray MPICH",
    .matches = cray_mpich_matches,
    .gpu_switch = "MPICH_GPU_SUPPORT_ENABLED",
};
