/* The faults that slow by a fraction: GPUXFER_FAULT=slow:...:pct=P and the simulated
 * two-speed platform (twospeed). Each waits, after an operation, that fraction of the time the
 * operation took, so that the slowdown is proportional at every size and the clock around the
 * operation sees it. */
#include "config.h"
#include "fault.h"

#include <errno.h>
#include <math.h>
#include <time.h>

/* The wait's last part spins: a sleep overshoots by tens of microseconds, a small message's
 * whole time. */
#define GX_FAULT_SPIN_S 0.001

static double epoch = -1;

double gx_fault_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void gx_fault_epoch(void)
{
    epoch = gx_fault_now();
}

int gx_fault_twospeed_slow(const struct gx_fault *f, double at)
{
    if (f->kind != GX_FAULT_TWOSPEED || !(f->period_s > 0) || at < 0)
        return 0;
    return (long long)floor(at / f->period_s) % 2 == 1;
}

static void wait_until(double deadline)
{
    double left = deadline - gx_fault_now();
    if (left > 2 * GX_FAULT_SPIN_S) {
        double s = left - GX_FAULT_SPIN_S;
        struct timespec nap = {(time_t)s, (long)((s - floor(s)) * 1e9)};
        while (nanosleep(&nap, &nap) != 0 && errno == EINTR)
            ;
    }
    while (gx_fault_now() < deadline)
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
        !gx_fault_twospeed_slow(f, epoch < 0 ? -1 : gx_fault_now() - epoch))
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
        wait_until(gx_fault_now() + owed_s);
    owed_s = 0;
}

void gx_fault_slow_forget(void)
{
    owed_s = 0;
}

void gx_fault_slow_after(double took)
{
    owed_s += share(took);
    gx_fault_slow_settle();
}
