/* A thread that ends the job with an answer on a timeout or signal, even in a blocked MPI. */
#ifndef GX_WATCHDOG_H
#define GX_WATCHDOG_H

#include "sink_ops.h"

#include <stdio.h>

/* Before MPI_Init: from then on every moment of the job has a time limit. */
int gx_watchdog_start(struct gx_err *err);
/* Collective. The thread never calls MPI: it _exits and the launcher tears the job down. */
int gx_watchdog_mpi_ready(struct gx_err *err);
/* Rank 0: called from the watchdog's thread to write the report (fn NULL: nothing). */
void gx_watchdog_set_abort(gx_sink_abort_fn fn, void *ctx);
/* The exit code the thread will end with, its deadline passed; -1 while none. */
int gx_watchdog_end_due(void);
void gx_watchdog_set_timeout(double timeout_s);
/* From now on a signal changes nothing; if the watchdog took the end already, waits for it. */
void gx_watchdog_final_report(void);
/* The answer is given: signals are ignored, a timeout ends with exit_code. */
void gx_watchdog_shutdown(int exit_code);
/* A library's replaced action taken back; says once in who whose it was ("" otherwise). */
void gx_watchdog_reclaim_signals(char *who, size_t len);
/* Signals ignored, lest mpirun say 143 beside exit 0. Safe twice or without a start. */
void gx_watchdog_stop(void);

/* A measurement by the round's pairs or groups: each is a unit whose members wait on one
 * another, so that a timeout names the members behind the rest of theirs. */
struct gx_round;
void gx_watchdog_arm(const char *what, const struct gx_round *round, int nranks,
                     double timeout_s);
/* Before each call that waits on the other members (a transfer, a collective, the stop rule's
 * word): how far a rank got, which the roll call compares. The main thread alone. */
void gx_watchdog_call(void);
/* --progress to a log, not a terminal: a line every so often of a long measurement. */
void gx_watchdog_progress_log(FILE *to);
void gx_watchdog_progress(long done, long total);
void gx_watchdog_measured(void);
void gx_watchdog_disarm(void);
/* From now on the main thread ends the run cleanly (rank 0's watchdog reports at once). */
int gx_watchdog_take_signal(void);

/* --timeout default, proportional to the work (watchdog_limits.c); --help reads them. */
#define GX_TIMEOUT_SETUP_S 60
#define GX_TIMEOUT_MESSAGE_MS 5
#define GX_TIMEOUT_SLOW_MBPS 100
double gx_default_timeout(size_t bytes, long iters, long warmup, long window);

#endif
