/* The faults that slow by a fraction: GPUXFER_FAULT=slow:...:pct=P and the simulated
 * two-speed platform (twospeed). Each waits, after an operation, that fraction of the time the
 * operation took, so that the slowdown is proportional at every size and the clock around the
 * operation sees it. */
#include "config.h"
#include "fault.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

/* The wait's last part spins: a sleep overshoots by tens of microseconds, a small message's
 * whole time. */
#define GX_FAULT_SPIN_S 0.001

static double epoch = -1;

void gx_fault_epoch(void)
{
    epoch = gx_mono_s();
}

int gx_fault_twospeed_slow(const struct gx_fault *f, double at)
{
    if (f->kind != GX_FAULT_TWOSPEED || !(f->period_s > 0) || at < 0)
        return 0;
    return (long long)floor(at / f->period_s) % 2 == 1;
}

static void wait_until(double deadline)
{
    double left = deadline - gx_mono_s();
    if (left > 2 * GX_FAULT_SPIN_S) {
        double s = left - GX_FAULT_SPIN_S;
        struct timespec nap = {(time_t)s, (long)((s - floor(s)) * 1e9)};
        while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
            ;
    }
    while (gx_mono_s() < deadline)
        ;
}

/* Seconds a send's share left to wait: paid after the next receive, or before the next send.
 * Paid after the send itself, the wait would overlap the reply's flight (a round trip's second
 * half), and a small message's round trip would grow by less than its share. */
static double owed_s;

static double share(double took)
{
    const struct gx_fault *f = gx_fault_get();
    if (!f->pct || !(took > 0))
        return 0;
    /* Before the epoch (no harness yet) the platform is in its first, normal state. */
    if (f->kind == GX_FAULT_TWOSPEED &&
        !gx_fault_twospeed_slow(f, epoch < 0 ? -1 : gx_mono_s() - epoch))
        return 0;
    return took * (double)f->pct / 100.0;
}

void gx_fault_slow_owe(double took)
{
    owed_s += share(took);
}

void gx_fault_slow_settle(void)
{
    if (owed_s > 0)
        wait_until(gx_mono_s() + owed_s);
    owed_s = 0;
}

/* A collective under slow:...:pct=P: its member is late by P% of the collective's time while
 * every member came on time (the step's warm-up). Once late, its own time is the transfer alone
 * (the others already wait for it), and a lateness proportional to that would not follow the
 * machine's pace: on a busy machine the other groups' collectives would catch it up. */
#define GX_FAULT_PACE_MAX 64
static double coll_pace_s[GX_FAULT_PACE_MAX];
static int coll_npace;
static double coll_late_s = -1; /* once timed: the lateness, set at the first call that asks */

void gx_fault_slow_forget(void)
{
    owed_s = 0;
    coll_npace = 0;
    gx_fault_slow_timed(1);
    coll_late_s = -1;
}

double gx_fault_coll_late(void)
{
    const struct gx_fault *f = gx_fault_get();
    if (f->kind != GX_FAULT_SLOW || !f->pct || !gx_fault_slow_timed(0) || coll_npace == 0)
        return 0;
    if (coll_late_s < 0) {
        qsort(coll_pace_s, (size_t)coll_npace, sizeof *coll_pace_s, gx_cmp_double);
        coll_late_s = coll_pace_s[coll_npace / 2] * (double)f->pct / 100.0;
    }
    return coll_late_s;
}

void gx_fault_coll_took(double took)
{
    if (gx_fault_get()->kind != GX_FAULT_SLOW) {
        gx_fault_slow_after(took);
        return;
    }
    if (coll_late_s < 0 && coll_npace < GX_FAULT_PACE_MAX && took > 0)
        coll_pace_s[coll_npace++] = took;
}

void gx_fault_coll_wait(double s)
{
    if (s > 0)
        wait_until(gx_mono_s() + s);
}

void gx_fault_slow_after(double took)
{
    owed_s += share(took);
    gx_fault_slow_settle();
}
