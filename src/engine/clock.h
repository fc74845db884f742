/* The engine's clocks, behind one seam: the harness, the stop rule and the watchdog read the
 * time only here, so that a unit test (tests/test_engine*.c) can run them on a fake clock that
 * its fake transfers advance: shares, stop verdicts and deadlines then follow from the test's
 * script alone, never from the machine's load, and no test waits for seconds to pass. */
#ifndef GX_CLOCK_H
#define GX_CLOCK_H

struct gx_clock {
    /* Seconds, as MPI_Wtime: the steps, their shares and the budget. */
    double (*wtime)(void);
    /* Seconds of CLOCK_MONOTONIC: the watchdog's deadlines, which run before MPI_Init too. */
    double (*monotonic)(void);
};

/* The real clocks; a test swaps in its own before it drives the engine (and never while the
 * watchdog's thread runs, which reads them). */
extern struct gx_clock gx_clock;

static inline double gx_wtime(void)
{
    return gx_clock.wtime();
}

#endif
