/* Only here, so that unit tests run the engine on a fake clock: no test waits. */
#ifndef GX_CLOCK_H
#define GX_CLOCK_H

struct gx_clock {
    /* Seconds, as MPI_Wtime. */
    double (*wtime)(void);
    /* CLOCK_MONOTONIC: the watchdog's deadlines run before MPI_Init too. */
    double (*monotonic)(void);
};

/* A test swaps in its own, never while the watchdog's thread runs. */
extern struct gx_clock gx_clock;

static inline double gx_wtime(void)
{
    return gx_clock.wtime();
}

#endif
