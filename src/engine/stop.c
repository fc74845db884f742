#include "config.h"
#include "stop.h"

#include "output.h"
#include "tags.h"

#include <string.h>

/* The initiator's verdict after n timed iterations (n <= 0: within the warm-up). Before the
 * fewest only the time ends a step: their interval is what the fewest are for. */
static int verdict_of(struct gx_bench *b, const struct gx_mstep *st, long n)
{
    int fewest = n >= st->min_iters;
    double reached = 0;
    if (fewest) {
        memcpy(b->sorted, b->samples, (size_t)n * sizeof *b->sorted);
        reached = gx_sorted_precision(b->sorted, (size_t)n);
        if (b->out)
            gx_output_precision(b->out, reached);
    }
    if (fewest && st->precision > 0 && reached <= st->precision)
        return GX_ENDED_PRECISION;
    if (b->share_s > 0 && MPI_Wtime() - b->step_t0 >= b->share_s)
        return GX_ENDED_TIME;
    return GX_ENDED_ITERATIONS;
}

/* The initiator's next boundary: the schedule's, brought nearer where the share left affords
 * fewer iterations at the pace since the last boundary (beside CPU hogs a batch of n/4
 * iterations, each waiting for a time slice, overshot a 0.11 s share by 0.25 s). The pace is
 * not taken from the step's start, whose setup would make it slower than the iterations. */
static long next_boundary(struct gx_bench *b, const struct gx_mstep *st, long n)
{
    long next = b->share_s > 0 ? gx_mstep_next_timed_ask(st, n) : gx_mstep_next_ask(st, n);
    double now = MPI_Wtime();
    double pace = n > b->ask_n ? (now - b->ask_t) / (double)(n - b->ask_n) : 0;
    b->ask_n = n;
    b->ask_t = now;
    if (b->share_s <= 0 || next == GX_ASK_NEVER || pace <= 0)
        return next;
    double affords = (b->share_s - (now - b->step_t0)) / pace;
    long by_time = n + (affords > 1 ? (long)affords : 1);
    return by_time < next ? by_time : next;
}

int gx_stop_ask(struct gx_bench *b, const struct gx_mstep *st, long n, int *ended, long *next,
                struct gx_err *err)
{
    struct gx_ep *ep = &b->ep;
    /* The verdict and the next boundary, which only the initiator's clock knows. */
    int64_t said[2] = {GX_ENDED_ITERATIONS, GX_ASK_NEVER};
    if (ep->initiator) {
        said[0] = verdict_of(b, st, n);
        said[1] = said[0] == GX_ENDED_ITERATIONS ? next_boundary(b, st, n) : GX_ASK_NEVER;
        GX_MPI_TRY(err, MPI_Send(said, 2, MPI_INT64_T, ep->peer, GX_TAG_STOP, ep->job->comm));
    } else {
        GX_MPI_TRY(err, MPI_Recv(said, 2, MPI_INT64_T, ep->peer, GX_TAG_STOP, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    }
    *ended = (int)said[0];
    *next = (long)said[1];
    return GX_OK;
}
