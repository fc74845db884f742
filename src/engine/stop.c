#include "config.h"
#include "stop.h"

#include "output.h"
#include "tags.h"

#include <string.h>

int gx_stop_ask(struct gx_bench *b, const struct gx_mstep *st, long n, int *ended, long *next,
                struct gx_err *err)
{
    struct gx_ep *ep = &b->ep;
    int32_t verdict = GX_ENDED_ITERATIONS;
    if (ep->initiator) {
        memcpy(b->sorted, b->samples, (size_t)n * sizeof *b->sorted);
        double reached = gx_sorted_precision(b->sorted, (size_t)n);
        double spent = MPI_Wtime() - b->step_t0;
        if (st->precision > 0 && reached <= st->precision)
            verdict = GX_ENDED_PRECISION;
        else if (b->share_s > 0 && spent >= b->share_s)
            verdict = GX_ENDED_TIME;
        if (b->out)
            gx_output_precision(b->out, reached);
        GX_MPI_TRY(err, MPI_Send(&verdict, 1, MPI_INT32_T, ep->peer, GX_TAG_STOP,
                                 ep->job->comm));
    } else {
        GX_MPI_TRY(err, MPI_Recv(&verdict, 1, MPI_INT32_T, ep->peer, GX_TAG_STOP, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    }
    *ended = verdict;
    *next = verdict == GX_ENDED_ITERATIONS ? gx_mstep_next_ask(st, n) : GX_ASK_NEVER;
    return GX_OK;
}
