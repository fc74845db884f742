/* The engine reads the time only here, so that a unit test (tests/test_engine*.c) runs it on a
 * fake clock: its verdicts follow from the script, never the load, and no test waits. */
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
