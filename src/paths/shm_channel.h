/* Chunks between the two ranks of a same-node pair through shared host memory, with no MPI
 * message and no host synchronization on the way: each side's segment (shm_segment.h) holds
 * the ring it produces (control words, then the slots) and maps the peer's; GPU copies (copy
 * engines or kernels, as the path says) fill and drain the slots, and a CUDA event per slot
 * says when its copy is done, which the ring (shm_ring.h) then publishes. Used by the staged
 * and zerocopy paths on one node. */
#ifndef GX_SHM_CHANNEL_H
#define GX_SHM_CHANNEL_H

#include "shm_ring.h"
#include "shm_segment.h"

#include <cuda_runtime_api.h>

/* A path's mover of n bytes between its buffer and a slot, enqueued on stream s (cudaMemcpyAsync
 * of the copy engines, or gx_kernel_copy). */
typedef cudaError_t (*gx_shm_copy_fn)(void *dst, const void *src, size_t n, cudaStream_t s);

struct gx_shm_channel {
    struct gx_shm_segment mine, theirs;
    size_t area;                 /* slot bytes each segment holds after the control words */
    struct gx_shm_ring out, in;  /* out: this side produces (its control words in mine) */
    cudaEvent_t out_ev[GX_SHM_RING_MAX_SLOTS], in_ev[GX_SHM_RING_MAX_SLOTS];
    long peer_pid;
    int kernel_addr;             /* the copies address the slots as the GPU maps them */
    /* Ops since the rings were reset; equal on both sides between transfers. */
    uint64_t filled, published, drained, freed;
};

/* Both sides of the pair together, while neither transfers (a path's open or prepare): grows the
 * segments, if needed, to nslots slots of slot_bytes (or to `area` bytes of slots, if larger)
 * and resets both rings to nslots slots of slot_bytes, starting over at op 0 with the abort
 * words down. Agreed: GX_ESKIP on both sides with the reason when shared memory cannot be had. */
int gx_shm_channel_prepare(const struct gx_ep *ep, struct gx_shm_channel *ch, const char *what,
                           int nslots, size_t slot_bytes, size_t area, struct gx_err *err);
/* Moves `total` chunks out (dir & GX_DIR_SEND: from ep->src, on stream put) and/or in (dir &
 * GX_DIR_RECV: into ep->dst, on stream get): op i is chunk i % nchunks of the plan. Returns
 * when this side's chunks are all published full (out) and all copied into dst and freed (in).
 * On any failure it raises both abort words, so that the peer stops waiting too. */
int gx_shm_channel_xfer(struct gx_shm_channel *ch, const struct gx_ep *ep, enum gx_dir dir,
                        const struct gx_chunk_plan *pl, size_t total, gx_shm_copy_fn copy,
                        cudaStream_t put, cudaStream_t get, struct gx_err *err);
void gx_shm_channel_close(struct gx_shm_channel *ch);

/* Slot stride for chunks of `bytes` (page-aligned slots). */
size_t gx_shm_slot_stride(size_t bytes);

#endif
