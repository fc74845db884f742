/* The chunk pipeline of the staged and unified-prefetch paths: ops pass through a path's hops
 * in order, at most nslots at a time. Hops start and end in op order (MPI matches same-tag
 * messages in posting order, a stream completes in order), so the pipeline's state is how many
 * ops have started each hop. */
#ifndef GX_PIPELINE_H
#define GX_PIPELINE_H

#include "chunk.h"
#include "path.h"

#include <cuda_runtime_api.h>

#define GX_PIPE_MAX_HOPS 3

struct gx_pipe_slot {
    cudaEvent_t ev;
    MPI_Request req;
    void *buf;
};

struct gx_pipe_op {
    size_t off, len; /* within its message */
    struct gx_pipe_slot *slot;
    int msg;
};

struct gx_pipe_hop {
    /* Enqueues on stream, or (stream NULL) posts slot->req. */
    int (*start)(void *ctx, const struct gx_pipe_op *op, struct gx_err *err);
    cudaStream_t stream;
    int stage; /* ep->stage_s to time, or -1 */
};

/* A hop's start that is one call: try_one sees x, the path's context of ctx_type. */
#define GX_PIPE_HOP(fn, ctx_type, try_one)                                                    \
    static int fn(void *ctx, const struct gx_pipe_op *op, struct gx_err *err)                 \
    {                                                                                         \
        ctx_type *x = ctx;                                                                    \
        try_one;                                                                              \
        return GX_OK;                                                                         \
    }

/* The send ring, then the receive ring at slots + depth. */
struct gx_pipe_rings {
    struct gx_pipe_slot *slots;
    int depth;
};

/* Untimed, only when the need grows; buf is left to the path. */
int gx_pipe_rings_grow(struct gx_pipe_rings *r, int depth, struct gx_err *err);
void gx_pipe_rings_free(struct gx_pipe_rings *r);

struct gx_pipe_dir {
    const struct gx_pipe_hop *hops;
    int nhops;
};

/* chunks->depth ops in flight per direction, until both are done. */
int gx_pipe_transfer(struct gx_ep *ep, enum gx_dir dir, size_t total,
                     const struct gx_chunking *chunks, struct gx_pipe_rings *r,
                     struct gx_pipe_dir send, struct gx_pipe_dir recv, void *ctx,
                     struct gx_err *err);

#endif
