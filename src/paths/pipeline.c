#include "config.h"
#include "pipeline.h"

#include "cuda_util.h"

#include <stdlib.h>
#include <string.h>

void gx_pipe_rings_free(struct gx_pipe_rings *r)
{
    for (int i = 0; r->slots && i < 2 * r->depth; i++)
        if (r->slots[i].ev)
            cudaEventDestroy(r->slots[i].ev);
    free(r->slots);
    r->slots = NULL;
    r->depth = 0;
}

int gx_pipe_rings_grow(struct gx_pipe_rings *r, int depth, struct gx_err *err)
{
    if (depth <= r->depth)
        return GX_OK;
    gx_pipe_rings_free(r);
    if (!(r->slots = calloc(2 * (size_t)depth, sizeof *r->slots)))
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    r->depth = depth;
    for (int i = 0; i < 2 * depth; i++)
        GX_CUDA_TRY(err, cudaEventCreateWithFlags(&r->slots[i].ev, cudaEventDisableTiming));
    return GX_OK;
}

struct gx_pipe {
    const struct gx_pipe_hop *hops;
    int nhops;
    void *ctx;
    struct gx_pipe_slot *slots;
    int nslots;
    const struct gx_chunking *chunks;
    size_t total;
    size_t started[GX_PIPE_MAX_HOPS + 1]; /* [nhops]: ops that finished the last hop */
};

/* Wall time with an op in the stage: the stage active nearly all along bounds the transfer. */
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
    const struct gx_pipe_hop *st = &p->hops[s];
    size_t c = op % p->chunks->nchunks;
    struct gx_pipe_op o = {gx_chunk_offset(p->chunks, c), gx_chunk_length(p->chunks, c),
                           &p->slots[op % (size_t)p->nslots], (int)(op / p->chunks->nchunks)};
    GX_TRY(st->start(p->ctx, &o, err));
    if (st->stream)
        GX_CUDA_TRY(err, cudaEventRecord(o.slot->ev, st->stream));
    enter(a, st->stage);
    p->started[s]++;
    return GX_OK;
}

static int progress(struct gx_ep *ep, struct gx_pipe *p, struct activity *a, struct gx_err *err)
{
    for (int s = 0; s < p->nhops; s++) {
        /* The oldest op in hop s is the first not yet past it. */
        while (p->started[s + 1] < p->started[s]) {
            size_t op = p->started[s + 1];
            struct gx_pipe_slot *slot = &p->slots[op % (size_t)p->nslots];
            int done = 0;
            if (!p->hops[s].stream)
                GX_MPI_TRY(err, MPI_Test(&slot->req, &done, MPI_STATUS_IGNORE));
            else
                GX_TRY(gx_cuda_event_done(slot->ev, &done, err));
            if (!done)
                break;
            leave(ep, a, p->hops[s].stage);
            if (s + 1 < p->nhops)
                GX_TRY(start(p, a, s + 1, op, err));
            else
                p->started[s + 1]++;
        }
    }
    while (p->started[0] < p->total && p->started[0] - p->started[p->nhops] < (size_t)p->nslots)
        GX_TRY(start(p, a, 0, p->started[0], err));
    return GX_OK;
}

static int busy(const struct gx_pipe *p)
{
    return p->started[p->nhops] < p->total;
}

int gx_pipe_transfer(struct gx_ep *ep, enum gx_dir dir, size_t total,
                     const struct gx_chunking *chunks, struct gx_pipe_rings *r,
                     struct gx_pipe_dir send, struct gx_pipe_dir recv, void *ctx,
                     struct gx_err *err)
{
    if (chunks->depth > r->depth)
        return gx_fail(err, GX_ERUNTIME, "%s: %d chunks in flight not prepared", ep->ops->name,
                       chunks->depth);
    struct gx_pipe out = {.hops = send.hops, .nhops = send.nhops, .ctx = ctx,
                          .slots = r->slots, .nslots = chunks->depth, .chunks = chunks,
                          .total = dir & GX_DIR_SEND ? total : 0};
    struct gx_pipe in = {.hops = recv.hops, .nhops = recv.nhops, .ctx = ctx,
                         .slots = r->slots + r->depth, .nslots = chunks->depth, .chunks = chunks,
                         .total = dir & GX_DIR_RECV ? total : 0};
    struct activity a = {0};
    while (busy(&out) || busy(&in)) {
        if (busy(&in))
            GX_TRY(progress(ep, &in, &a, err));
        if (busy(&out))
            GX_TRY(progress(ep, &out, &a, err));
    }
    return GX_OK;
}
