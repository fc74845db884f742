/* The chunk pipeline of the staged (through MPI) and unified-prefetch paths, one side and one
 * direction: ops 0..total-1 (count messages x nchunks chunks) pass through a path's steps in
 * order, at most nslots ops at a time (back-pressure), each op in the slot op % nslots. A GPU
 * step ends when the CUDA event recorded after it completes, an MPI step when its request does.
 * Every step is started, and seen to end, in op order: MPI matches same-tag messages in the
 * order they are posted, and a stream completes its work in order. So the state of the whole
 * pipeline is how many ops have started each step. */
#ifndef GX_PIPELINE_H
#define GX_PIPELINE_H

#include "chunk.h"
#include "path.h"

#include <cuda_runtime_api.h>

#define GX_PIPE_MAX_STEPS 3

/* A slot's handles; buf is the path's own (e.g. a staging buffer). */
struct gx_pipe_slot {
    cudaEvent_t ev;
    MPI_Request req;
    void *buf;
};

/* The op a step starts: chunk `off`, `len` of the message, in `slot`. */
struct gx_pipe_op {
    size_t off, len; /* the chunk within its message */
    struct gx_pipe_slot *slot;
    int msg;         /* which message of the window */
};

struct gx_pipe_step {
    /* GPU step: enqueues its work on `stream` (the event is recorded after it); MPI step
     * (stream NULL): posts slot->req. */
    int (*start)(void *ctx, const struct gx_pipe_op *op, struct gx_err *err);
    cudaStream_t stream;
    int stage; /* ep->stage_s index to time (wall time while any op is in it), or -1 */
};

/* A side's two rings of `depth` slots each: the send ring, then the receive ring (slots + depth),
 * every slot with its CUDA event. */
struct gx_pipe_rings {
    struct gx_pipe_slot *slots;
    int depth;
};

/* Rings of at least `depth` slots each (created here, untimed, only when the need grows; the
 * slots' buf is left to the path). */
int gx_pipe_rings_grow(struct gx_pipe_rings *r, int depth, struct gx_err *err);
void gx_pipe_rings_free(struct gx_pipe_rings *r);

/* One direction's steps, in the order every op passes them. */
struct gx_pipe_dir {
    const struct gx_pipe_step *steps;
    int nsteps;
};

/* Moves `total` ops (count messages x the plan's chunks) out through send's steps (dir &
 * GX_DIR_SEND) and/or in through recv's (dir & GX_DIR_RECV), plan->depth ops in flight per
 * direction, until both are done; ctx goes to every step's start. */
int gx_pipe_transfer(struct gx_ep *ep, enum gx_dir dir, size_t total,
                     const struct gx_chunk_plan *plan, struct gx_pipe_rings *r,
                     struct gx_pipe_dir send, struct gx_pipe_dir recv, void *ctx,
                     struct gx_err *err);

#endif
