#include "config.h"
#include "pipeline.h"

#include "cuda_util.h"

#include <string.h>

void gx_pipe_init(struct gx_pipe *p, const struct gx_pipe_step *steps, int nsteps, void *ctx,
                  struct gx_pipe_slot *slots, int nslots, const struct gx_chunk_plan *plan,
                  size_t total)
{
    *p = (struct gx_pipe){.steps = steps, .nsteps = nsteps, .ctx = ctx, .slots = slots,
                          .nslots = nslots, .plan = plan, .total = total};
}

/* Stage times: the wall time during which at least one op of this rank was in the stage (from
 * the call that started its step to the poll that saw it end). The stages overlap, so none is
 * "waited on" and their times may add up to more than the transfer: the one active nearly all
 * along is the one that bounds it. */
struct activity {
    int active[GX_MAX_STAGES];
    double since[GX_MAX_STAGES];
};

static void enter(struct activity *a, int stage)
{
    if (stage >= 0 && a->active[stage]++ == 0)
        a->since[stage] = MPI_Wtime();
}

static void leave(struct gx_ep *ep, struct activity *a, int stage)
{
    if (stage >= 0 && --a->active[stage] == 0)
        gx_stage_add(ep, stage, a->since[stage]);
}

static int start(struct gx_pipe *p, struct activity *a, int s, size_t op, struct gx_err *err)
{
    const struct gx_pipe_step *st = &p->steps[s];
    size_t c = op % p->plan->nchunks;
    struct gx_pipe_op o = {gx_chunk_offset(p->plan, c), gx_chunk_length(p->plan, c),
                           &p->slots[op % (size_t)p->nslots]};
    GX_TRY(st->start(p->ctx, &o, err));
    if (!st->is_mpi)
        GX_CUDA_TRY(err, cudaEventRecord(o.slot->ev, st->stream));
    enter(a, st->stage);
    p->started[s]++;
    return GX_OK;
}

static int progress(struct gx_ep *ep, struct gx_pipe *p, struct activity *a, struct gx_err *err)
{
    for (int s = 0; s < p->nsteps; s++) {
        /* The oldest op in step s is the first not yet past it. */
        while (p->started[s + 1] < p->started[s]) {
            size_t op = p->started[s + 1];
            struct gx_pipe_slot *slot = &p->slots[op % (size_t)p->nslots];
            int done = 0;
            if (p->steps[s].is_mpi)
                GX_MPI_TRY(err, MPI_Test(&slot->req, &done, MPI_STATUS_IGNORE));
            else
                GX_TRY(gx_cuda_event_done(slot->ev, &done, err));
            if (!done)
                break;
            leave(ep, a, p->steps[s].stage);
            if (s + 1 < p->nsteps)
                GX_TRY(start(p, a, s + 1, op, err));
            else
                p->started[s + 1]++;
        }
    }
    while (p->started[0] < p->total && p->started[0] - p->started[p->nsteps] < (size_t)p->nslots)
        GX_TRY(start(p, a, 0, p->started[0], err));
    return GX_OK;
}

static int busy(const struct gx_pipe *p)
{
    return p->started[p->nsteps] < p->total;
}

int gx_pipe_run(struct gx_ep *ep, struct gx_pipe *send, struct gx_pipe *recv,
                struct gx_err *err)
{
    struct activity a;
    memset(&a, 0, sizeof a);
    while (busy(send) || busy(recv)) {
        if (busy(recv))
            GX_TRY(progress(ep, recv, &a, err));
        if (busy(send))
            GX_TRY(progress(ep, send, &a, err));
    }
    return GX_OK;
}
