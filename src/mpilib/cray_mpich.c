/* Cray MPICH (HPE Cray Programming Environment): "MPI VERSION    : CRAY MPICH version 8.1.25.17
 * (ANL base 3.4a2)". Moves GPU buffers only when MPICH_GPU_SUPPORT_ENABLED=1 at run time. Before
 * MPICH in the table: it is derived from it. */
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
