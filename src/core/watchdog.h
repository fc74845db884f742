/* The watchdog: a thread on every rank that ends the job with an answer when a measurement does
 * not complete in time or a SIGINT/SIGTERM arrives, even while the main thread is blocked in MPI.
 * On rank 0 it first writes the report with what was measured. */
#ifndef GX_WATCHDOG_H
#define GX_WATCHDOG_H

#include "job.h"
#include "report.h"

/* Installs the SIGINT/SIGTERM handlers and starts the thread. rep: rank 0's report, else NULL.
 * can_abort: MPI_THREAD_MULTIPLE was granted, so the thread may call MPI_Abort; without it the
 * thread ends the process with _exit and the launcher tears the job down. */
int gx_watchdog_start(const struct gx_job *job, struct gx_report *rep, int can_abort,
                      struct gx_err *err);
/* Stops the thread and restores the signal handlers; safe to call twice or without a start. */
void gx_watchdog_stop(void);

/* A measurement starts: what it is, which ranks take part, how long it may take. */
void gx_watchdog_arm(const char *what, const int *ranks, int nranks, double timeout_s);
/* Timed iteration `done` of `total` is finished (a relaxed atomic store). */
void gx_watchdog_progress(long done, long total);
/* This rank's part is measured; it now waits for the results to be gathered. */
void gx_watchdog_measured(void);
void gx_watchdog_disarm(void);
/* The signal received so far (0: none); from now on the main thread is in charge of ending the
 * run cleanly, unless it is rank 0, whose watchdog writes the report at once anyway. */
int gx_watchdog_take_signal(void);

/* --timeout default: 60 s + 2 x bytes x (iterations + warmup + 2) x window / (1 GB/s). */
double gx_default_timeout(size_t bytes, long iters, long warmup, long window);

#endif
