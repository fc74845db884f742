#include "config.h"
#include "clock.h"

#include <mpi.h>
#include <time.h>

static double mpi_wtime(void)
{
    return MPI_Wtime();
}

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct gx_clock gx_clock = {.wtime = mpi_wtime, .monotonic = monotonic};
