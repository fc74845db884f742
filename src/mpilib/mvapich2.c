/* MVAPICH2 (and its GDR build): moves CUDA buffers only when MV2_USE_CUDA=1 at run time. */
#include "config.h"
#include "mpilib.h"

#include <string.h>

static int mvapich2_matches(const char *v)
{
    return strncmp(v, "MVAPICH2", strlen("MVAPICH2")) == 0;
}

const struct gx_mpilib_ops gx_mpilib_mvapich2 = {
    .name = "MVAPICH2",
    .matches = mvapich2_matches,
    .gpu_switch = "MV2_USE_CUDA",
};
