/* The watchdog's state and what the main thread tells it; the thread itself is in watchdog.c. */
#include "config.h"
#include "watchdog.h"
#include "watchdog_state.h"
#include "pairs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct gx_wd_state gx_wd = {.pipefd = {-1, -1}, .mu = PTHREAD_MUTEX_INITIALIZER, .rank = -1,
                            .phase_s = PHASE_TIMEOUT_S, .rc = GX_ROLLCALL_INIT};

volatile sig_atomic_t gx_wd_got_signal;

void gx_wd_set_phase_locked(const char *label, const char *what, double timeout_s)
{
    snprintf(gx_wd.label, sizeof gx_wd.label, "%s", label);
    snprintf(gx_wd.what, sizeof gx_wd.what, "%s", what);
    gx_wd.nranks = 0;
    gx_wd.measuring = 0;
    gx_wd.timeout_s = timeout_s;
    gx_wd.deadline = now_s() + timeout_s;
    gx_wd.armed = 1;
}

/* Every message gets the time a slow but healthy machine takes (oversubscribed, sanitizers),
 * so that a long latency run has as much room as a large transfer. */
double gx_default_timeout(size_t bytes, long iters, long warmup, long window)
{
    double message_s =
        GX_TIMEOUT_MESSAGE_MS / 1000.0 + (double)bytes / (GX_TIMEOUT_SLOW_MBPS * 1e6);
    return (double)GX_TIMEOUT_SETUP_S +
           2.0 * (double)(iters + warmup + 2) * (double)window * message_s;
}

/* Neither close the report nor finalize under the watchdog: the job could hang. */
static _Noreturn void wait_for_the_end(void)
{
    for (;;)
        pause();
}

int gx_watchdog_end_due(void)
{
    pthread_mutex_lock(&gx_wd.mu);
    int due = gx_wd.rank == 0 && gx_wd.armed && now_s() - gx_wd.deadline > RANK0_GRACE_S;
    pthread_mutex_unlock(&gx_wd.mu);
    return due ? GX_ETIMEOUT : -1;
}

void gx_watchdog_set_abort(gx_sink_abort_fn fn, void *ctx)
{
    pthread_mutex_lock(&gx_wd.mu);
    gx_wd.abort_fn = fn;
    gx_wd.abort_ctx = ctx;
    pthread_mutex_unlock(&gx_wd.mu);
}

void gx_watchdog_set_timeout(double timeout_s)
{
    pthread_mutex_lock(&gx_wd.mu);
    gx_wd.phase_s = timeout_s > 0 ? timeout_s : PHASE_TIMEOUT_S;
    if (gx_wd.armed && !gx_wd.measuring) /* the phase now running gets the new limit */
        gx_wd.deadline = gx_wd.deadline - gx_wd.timeout_s + gx_wd.phase_s;
    gx_wd.timeout_s = gx_wd.armed && !gx_wd.measuring ? gx_wd.phase_s : gx_wd.timeout_s;
    pthread_mutex_unlock(&gx_wd.mu);
}

void gx_watchdog_final_report(void)
{
    pthread_mutex_lock(&gx_wd.mu);
    int ending = gx_wd.ending;
    gx_wd.final = 1;
    pthread_mutex_unlock(&gx_wd.mu);
    if (ending)
        wait_for_the_end();
}

void gx_watchdog_shutdown(int exit_code)
{
    pthread_mutex_lock(&gx_wd.mu);
    if (gx_wd.ending) {
        pthread_mutex_unlock(&gx_wd.mu);
        wait_for_the_end();
    }
    gx_wd.shutting_down = 1;
    gx_wd.answer = exit_code;
    gx_wd.abort_fn = NULL; /* the report is closed after this */
    gx_wd.abort_ctx = NULL;
    gx_wd_set_phase_locked("shutdown", "shutdown (MPI_Finalize)", gx_wd.phase_s);
    pthread_mutex_unlock(&gx_wd.mu);
}

void gx_watchdog_arm(const char *what, const struct gx_round *round, int nranks,
                     double timeout_s)
{
    pthread_mutex_lock(&gx_wd.mu);
    snprintf(gx_wd.what, sizeof gx_wd.what, "%s", what);
    gx_wd.nranks = 0;
    gx_wd.groups = round->group_of != NULL;
    /* Each pair's two, or each group's members (gx_round_members, bounded). */
    for (int i = 0; i < round->npairs && gx_wd.nranks < MAX_RANKS; i++) {
        const struct gx_pair *p = &round->pairs[i];
        int last = round->group_of ? p->b : 1;
        for (int k = round->group_of ? p->a : 0; k <= last && gx_wd.nranks < MAX_RANKS; k++) {
            int rank = round->group_of ? k : k ? p->b : p->a;
            if (rank < nranks && (!round->group_of || round->group_of[rank] == i)) {
                gx_wd.units[gx_wd.nranks] = i;
                gx_wd.ranks[gx_wd.nranks++] = rank;
            }
        }
    }
    gx_wd.seq++;
    gx_wd.timeout_s = timeout_s;
    gx_wd.deadline = now_s() + timeout_s;
    atomic_store_explicit(&gx_wd.done, 0, memory_order_relaxed);
    atomic_store_explicit(&gx_wd.total, 0, memory_order_relaxed);
    atomic_store_explicit(&gx_wd.calls, 0, memory_order_relaxed);
    atomic_store_explicit(&gx_wd.measured, 0, memory_order_relaxed);
    gx_wd.armed = 1;
    gx_wd.measuring = 1;
    /* A signal before the first measurement stops a run that measured nothing. */
    if (!gx_wd_got_signal)
        gx_wd.began = 1;
    pthread_mutex_unlock(&gx_wd.mu);
}

void gx_watchdog_call(void)
{
    /* The main thread alone writes it: no read-modify-write between the timed calls. */
    long n = atomic_load_explicit(&gx_wd.calls, memory_order_relaxed);
    atomic_store_explicit(&gx_wd.calls, n + 1, memory_order_relaxed);
}

/* The measurement, then within it: its calls made, its part done, the phase after it. */
uint64_t gx_wd_position_locked(void)
{
    enum { CALL_BITS = 30 };
    uint64_t stage = !gx_wd.armed || !gx_wd.measuring                              ? 3
                     : atomic_load_explicit(&gx_wd.measured, memory_order_relaxed) ? 2
                                                                                   : 1;
    uint64_t calls = (uint64_t)atomic_load_explicit(&gx_wd.calls, memory_order_relaxed);
    if (stage != 1)
        calls = 0;
    else if (calls >= (1u << CALL_BITS))
        calls = (1u << CALL_BITS) - 1;
    return (uint64_t)gx_wd.seq << 32 | stage << CALL_BITS | calls;
}

void gx_watchdog_progress_log(FILE *to)
{
    pthread_mutex_lock(&gx_wd.mu);
    gx_wd.progress_log = to;
    pthread_mutex_unlock(&gx_wd.mu);
}

void gx_watchdog_progress(long done, long total)
{
    atomic_store_explicit(&gx_wd.done, done, memory_order_relaxed);
    atomic_store_explicit(&gx_wd.total, total, memory_order_relaxed);
}

int gx_watchdog_take_signal(void)
{
    int sig = gx_wd_got_signal;
    if (sig)
        atomic_store(&gx_wd.taken, 1);
    return sig;
}

void gx_watchdog_measured(void)
{
    atomic_store_explicit(&gx_wd.measured, 1, memory_order_relaxed);
}

/* Until the next one starts, the time between them is bounded too. */
void gx_watchdog_disarm(void)
{
    char phase[600];
    pthread_mutex_lock(&gx_wd.mu);
    if (gx_wd.measuring) {
        snprintf(gx_wd.last, sizeof gx_wd.last, "%s", gx_wd.what);
        snprintf(phase, sizeof phase, "the step after measurement %s", gx_wd.what);
        gx_wd_set_phase_locked("the step between measurements", phase, gx_wd.phase_s);
    }
    pthread_mutex_unlock(&gx_wd.mu);
}
