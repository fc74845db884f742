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
    size_t off, len;
    struct gx_pipe_slot *slot;
};

struct gx_pipe_step {
    /* GPU step: enqueues its work on `stream` (the event is recorded after it); MPI step
     * (stream NULL): posts slot->req. */
    int (*start)(void *ctx, const struct gx_pipe_op *op, struct gx_err *err);
    cudaStream_t stream;
    int is_mpi;
    int stage; /* ep->stage_s index to time (wall time while any op is in it), or -1 */
};

struct gx_pipe {
    const struct gx_pipe_step *steps;
    int nsteps;
    void *ctx;
    struct gx_pipe_slot *slots;
    int nslots;
    const struct gx_chunk_plan *plan;
    size_t total;
    size_t started[GX_PIPE_MAX_STEPS + 1]; /* [nsteps]: ops that finished the last step */
};

void gx_pipe_init(struct gx_pipe *p, const struct gx_pipe_step *steps, int nsteps, void *ctx,
                  struct gx_pipe_slot *slots, int nslots, const struct gx_chunk_plan *plan,
                  size_t total);
/* Runs send and receive (either may have total 0) until both are done. */
int gx_pipe_run(struct gx_ep *ep, struct gx_pipe *send, struct gx_pipe *recv,
                struct gx_err *err);

#endif
