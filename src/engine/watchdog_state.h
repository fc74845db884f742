/* The watchdog's state: one per process, shared by its thread and its start and stop
 * (watchdog.c) and by what the main thread tells it (watchdog_limits.c), by nothing else. */
#ifndef GX_WATCHDOG_STATE_H
#define GX_WATCHDOG_STATE_H

#include "clock.h"
#include "rollcall.h"
#include "sink_ops.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>

/* Rank 0 acts this long after the other ranks' deadlines, so that their own lines (where each
 * rank stopped) reach stderr before the job is torn down. */
#define RANK0_GRACE_S 1.0
/* Outside measurements (start-up, set-up between them, shutdown) a step may take this long
 * unless --timeout says otherwise: no moment of the job is without a limit. */
#define PHASE_TIMEOUT_S 60.0
#define MAX_RANKS 1024

struct gx_wd_state {
    int started, rank;
    int pipefd[2];
    pthread_t thread;
    gx_sink_abort_fn abort_fn; /* rank 0: writes the report (main's, set with its ctx) */
    void *abort_ctx;
    struct sigaction old[GX_NSTOP_SIGNALS]; /* the actions before ours, gx_stop_signals' order */
    pthread_mutex_t mu; /* guards the measurement fields below */
    int armed, measuring; /* measuring: a measurement, not a phase between them */
    int began;            /* a measurement (or a probe) began: the report is worth writing */
    int shutting_down;    /* the answer is given: signals no longer change it */
    int answer;           /* then: the exit code given */
    int final;            /* rank 0 began its final report: its answer is the report's */
    int ending;           /* the watchdog took the end of the job: the main thread waits */
    char what[512], last[512]; /* last: the measurement before, whose results are in */
    char label[64];            /* the phase, short */
    int ranks[MAX_RANKS], nranks;
    double timeout_s, deadline, phase_s;
    atomic_long done, total;
    atomic_int measured, stop, taken;
    struct gx_rollcall rc; /* rank 0 asks who still answers (rollcall.c) */
    FILE *progress_log;    /* rank 0, --progress to a log: where a long measurement's lines go */
};
extern struct gx_wd_state gx_wd;

/* The stop signal received (0: none): the handler's (on_signal), read by both threads. */
extern volatile sig_atomic_t gx_wd_got_signal;

static inline double now_s(void)
{
    return gx_clock.monotonic();
}

/* Under gx_wd.mu: a phase (outside measurements) begins, with its limit. */
void gx_wd_set_phase_locked(const char *label, const char *what, double timeout_s);

#endif
