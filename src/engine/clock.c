#include "config.h"
#include "clock.h"
#include "gx.h"

#include <mpi.h>

struct gx_clock gx_clock = {.wtime = MPI_Wtime, .monotonic = gx_mono_s};
