/* The watchdog's state, shared by watchdog.c and watchdog_limits.c only. */
#ifndef GX_WATCHDOG_STATE_H
#define GX_WATCHDOG_STATE_H

#include "clock.h"
#include "rollcall.h"
#include "sink_ops.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

/* So that the other ranks' own lines reach stderr before the job is torn down. */
#define RANK0_GRACE_S 1.0
/* No moment of the job is without a limit. */
#define PHASE_TIMEOUT_S 60.0
#define MAX_RANKS 1024

struct gx_wd_state {
    int started, rank;
    int pipefd[2];
    pthread_t thread;
    gx_sink_abort_fn abort_fn; /* rank 0 */
    void *abort_ctx;
    struct sigaction old[GX_NSTOP_SIGNALS];
    pthread_mutex_t mu; /* guards the fields below */
    int armed, measuring; /* measuring: not a phase */
    int began;            /* the report is worth writing */
    int shutting_down;
    int answer;
    int final;
    int ending;           /* the watchdog took the end of the job: the main thread waits */
    char what[512], last[512]; /* last: the measurement before, whose results are in */
    char label[64];
    int ranks[MAX_RANKS], units[MAX_RANKS], nranks; /* units: the pair or group of each */
    int groups;                                     /* the units are groups, not pairs */
    long seq; /* measurements armed so far: every rank arms every step, in the same order */
    double timeout_s, deadline, phase_s;
    atomic_long done, total, calls; /* calls: gx_watchdog_call's in this measurement */
    atomic_int measured, stop, taken;
    struct gx_rollcall rc;
    FILE *progress_log;
};
extern struct gx_wd_state gx_wd;

/* Set by the handler, read by both threads. */
extern volatile sig_atomic_t gx_wd_got_signal;

static inline double now_s(void)
{
    return gx_clock.monotonic();
}

void gx_wd_ranks_text(const int *ranks, int n, char *buf, size_t len);
/* Rank 0, on a timeout: asks the roll call and adds to msg whom it names and why; r: the
 * measurement's n ranks, unit by unit (measuring 0: a phase, every rank). Returns the ranks
 * named, n set to their count. */
const int *gx_wd_named_ranks(char *msg, size_t len, const int *r, const int *unit, int *n,
                             int measuring);
/* Under gx_wd.mu: how far this rank is, comparable between the ranks (rollcall.h). */
uint64_t gx_wd_position_locked(void);
/* Under gx_wd.mu. */
void gx_wd_set_phase_locked(const char *label, const char *what, double timeout_s);

#endif
