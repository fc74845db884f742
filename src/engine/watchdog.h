/* The watchdog: a thread on every rank that ends the job with an answer when a measurement does
 * not complete in time or a stop signal (GX_STOP_SIGNALS) arrives, even while the main thread is blocked in MPI.
 * On rank 0 it first has the report written with what was measured, through the abort callback
 * main hands it (the report is beside the engine, never below it: sink_ops.h). */
#ifndef GX_WATCHDOG_H
#define GX_WATCHDOG_H

#include "sink_ops.h"

#include <stdio.h>

/* Installs the handlers of GX_STOP_SIGNALS and starts the thread, before MPI_Init: from then on
 * every moment of the job has a time limit (a phase or a measurement) until MPI_Finalize. */
int gx_watchdog_start(struct gx_err *err);
/* After MPI_Init: this rank, and the roll call's sockets (rollcall.h). Collective. The thread
 * never calls MPI: it ends the process with _exit and the launcher tears the job down. */
int gx_watchdog_mpi_ready(struct gx_err *err);
/* Rank 0: what writes the report when the watchdog ends the job (fn NULL: nothing to write);
 * called from the watchdog's thread until gx_watchdog_shutdown or gx_watchdog_stop. */
void gx_watchdog_set_abort(gx_sink_abort_fn fn, void *ctx);
/* Rank 0's answer to the report before it commits a write (gx_report.end_due): the code this
 * thread ends the process with once it looks, its deadline already passed; -1 while none. */
int gx_watchdog_end_due(void);
/* --timeout (0: the default): the limit of each phase outside measurements. */
void gx_watchdog_set_timeout(double timeout_s);
/* A step outside measurements begins (start-up, output, ...), with the phase limit. */
void gx_watchdog_phase(const char *what);
/* Rank 0 begins its final report (from the matrices to the file): from now on a signal changes
 * nothing, the answer is the report's. If the watchdog already took the end of the job (it
 * writes the report itself), waits for it to end the process. */
void gx_watchdog_final_report(void);
/* The answer (report, exit code) is given: signals are ignored from now on and the rest (up
 * to MPI_Finalize) has the phase limit; a timeout then ends with the report's exit code. If the
 * watchdog took the end of the job, waits for it to end the process instead. */
void gx_watchdog_shutdown(int exit_code);
/* Main thread, outside any timed loop: takes back a stop signal's action that a library
 * replaced after gpuxfer installed its own (ignored, or its own handler), so that the signal
 * still stops the run. The first time, writes into `who` (len bytes) which signal and whose
 * action it found there ("" when every action is still gpuxfer's, or this was said before). */
void gx_watchdog_reclaim_signals(char *who, size_t len);
/* Stops the thread and leaves the stop signals ignored: the answer is given and the process
 * only returns from main (a signal would otherwise end it after a report of exit 0, and the
 * launcher say 143). Safe to call twice or without a start. */
void gx_watchdog_stop(void);

/* A measurement starts: what it is, which ranks take part, how long it may take. */
void gx_watchdog_arm(const char *what, const int *ranks, int nranks, double timeout_s);
/* Rank 0 with --progress to a log (not a terminal): the thread writes a line there every 10 s
 * of a measurement that lasts longer (NULL: none). */
void gx_watchdog_progress_log(FILE *to);
/* Timed iteration `done` of `total` is finished (a relaxed atomic store). */
void gx_watchdog_progress(long done, long total);
/* This rank's part is measured; it now waits for the results to be gathered. */
void gx_watchdog_measured(void);
/* The measurement is over: the step until the next one has the phase limit. */
void gx_watchdog_disarm(void);
/* The signal received so far (0: none); from now on the main thread is in charge of ending the
 * run cleanly, unless it is rank 0, whose watchdog writes the report at once anyway. */
int gx_watchdog_take_signal(void);

/* --timeout default, proportional to the work: GX_TIMEOUT_SETUP_S + 2 x (iterations + warmup
 * + 2) x window x (GX_TIMEOUT_MESSAGE_MS + bytes / GX_TIMEOUT_SLOW_MBPS); watchdog_limits.c
 * says why these, --help reads them. */
#define GX_TIMEOUT_SETUP_S 60
#define GX_TIMEOUT_MESSAGE_MS 5
#define GX_TIMEOUT_SLOW_MBPS 100
double gx_default_timeout(size_t bytes, long iters, long warmup, long window);

#endif
