#include "config.h"
#include "stop.h"

#include "clock.h"
#include "measure.h"
#include "pattern.h"
#include "tags.h"
#include "watchdog.h"

#include <string.h>

double gx_bench_budget_left(const struct gx_bench *b)
{
    return b->budget->seconds > 0 ? gx_budget_left(b->budget, gx_wtime()) : -1;
}

int gx_stop_verdict(const struct gx_mstep *st, long n, double reached, double elapsed_s,
                    double share_s)
{
    if (n < st->floor_iters)
        return GX_ENDED_ITERATIONS;
    if (n >= st->min_iters && reached >= 0 && st->precision > 0 && reached <= st->precision)
        return GX_ENDED_PRECISION;
    if (share_s > 0 && elapsed_s >= share_s)
        return GX_ENDED_TIME;
    return GX_ENDED_ITERATIONS;
}

static int verdict_of(struct gx_bench *b, const struct gx_mstep *st, long n)
{
    double reached = -1;
    if (n >= st->min_iters) { /* sorted only where it may decide (floor_iters <= min_iters) */
        memcpy(b->sorted, b->samples, (size_t)n * sizeof *b->sorted);
        reached = gx_sorted_precision(b->sorted, (size_t)n);
        if (b->sink)
            b->sink->ops->precision(b->sink->ctx, reached, gx_bench_budget_left(b));
    }
    return gx_stop_verdict(st, n, reached, gx_wtime() - b->iter_t0, b->share_s);
}

/* Since the last boundary, not the step's start, whose setup would make it slower. */
static double pace_since_ask(struct gx_bench *b, long n, double now)
{
    double pace = n > b->ask_n ? (now - b->ask_t) / (double)(n - b->ask_n) : 0;
    b->ask_n = n;
    b->ask_t = now;
    return pace;
}

/* Nearer where the share affords fewer: on a busy machine a batch of n/4 iterations, each
 * waiting for a time slice, would overshoot a short share by more than the share. */
static long next_boundary(const struct gx_bench *b, const struct gx_mstep *st, long n,
                          double pace, double now)
{
    long next = b->share_s > 0 ? gx_mstep_next_timed_ask(st, n) : gx_mstep_next_ask(st, n);
    if (b->share_s <= 0 || next == GX_ASK_NEVER || pace <= 0)
        return next;
    double affords = (b->share_s - (now - b->iter_t0)) / pace;
    long by_time = n + (affords > 1 ? (long)affords : 1);
    return by_time < next ? by_time : next;
}

/* Round trips shrink to what the share affords, each maybe waiting for a time slice
 * (docs/reliability.md); a window of messages is part of what bw measures. */
static long window_afforded(const struct gx_bench *b, const struct gx_mstep *st, long n,
                            int verdict, double now)
{
    if (gx_pattern_table[st->pattern]->uses_window != GX_WINDOW_ROUND_TRIPS ||
        b->share_s <= 0 || b->trip_s <= 0 || b->window <= 1 || n >= st->floor_iters ||
        b->run->window > 0 || /* --window: the user's, as --iters is; --vary's too */
        (st->vary && b->job->g && b->job->g->vary.option == GX_VARY_WINDOW))
        return b->window;
    long owed = verdict == GX_ENDED_ITERATIONS ? st->floor_iters - n : 1;
    double left = b->share_s - (now - b->iter_t0);
    long w = left > 0 ? (long)(left / b->trip_s / (double)owed) : 0;
    return w < 1 ? 1 : w < b->window ? w : b->window;
}

int gx_stop_ask(struct gx_bench *b, const struct gx_mstep *st, long n, int *ended, long *next,
                struct gx_err *err)
{
    struct gx_ep *ep = &b->ep;
    int64_t said[3] = {GX_ENDED_ITERATIONS, GX_ASK_NEVER, b->window};
    if (ep->initiator) {
        double now = gx_wtime(), pace = pace_since_ask(b, n, now);
        if (pace > 0 && gx_pattern_table[st->pattern]->uses_window == GX_WINDOW_ROUND_TRIPS)
            b->trip_s = pace / (double)b->window;
        said[0] = verdict_of(b, st, n);
        said[1] = said[0] == GX_ENDED_ITERATIONS ? next_boundary(b, st, n, pace, now)
                                                 : GX_ASK_NEVER;
        said[2] = window_afforded(b, st, n, (int)said[0], now);
    }
    gx_watchdog_call();
    if (ep->group) { /* the leader's verdict to the whole group */
        GX_MPI_TRY(err, MPI_Bcast(said, 3, MPI_INT64_T, 0, ep->comm));
    } else if (ep->initiator) {
        GX_MPI_TRY(err, MPI_Send(said, 3, MPI_INT64_T, ep->peer, GX_TAG_STOP, ep->job->comm));
    } else {
        GX_MPI_TRY(err, MPI_Recv(said, 3, MPI_INT64_T, ep->peer, GX_TAG_STOP, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    }
    *ended = (int)said[0];
    *next = (long)said[1];
    b->window = (long)said[2];
    return GX_OK;
}
