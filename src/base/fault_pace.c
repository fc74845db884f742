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

void gx_fault_slow_after(double took)
{
    const struct gx_fault *f = gx_fault_get();
    if (!f->pct || !(took > 0))
        return;
    double now = gx_fault_now();
    /* Before the epoch (no harness yet) the platform is in its first, normal state. */
    if (f->kind == GX_FAULT_TWOSPEED && !gx_fault_twospeed_slow(f, epoch < 0 ? -1 : now - epoch))
        return;
    wait_until(now + took * (double)f->pct / 100.0);
}
