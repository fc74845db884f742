/* Chunks between a same-node pair through shared host memory, with no MPI message or host
 * synchronization on the way: each side's segment holds the ring it produces; a CUDA event per
 * slot says when its copy is done, which the ring then publishes. Staged and zerocopy paths. */
#ifndef GX_SHM_CHANNEL_H
#define GX_SHM_CHANNEL_H

#include "shm_ring.h"
#include "shm_segment.h"

#include <cuda_runtime_api.h>

/* cudaMemcpyAsync or gx_kernel_copy. */
typedef cudaError_t (*gx_shm_copy_fn)(void *dst, const void *src, size_t n, cudaStream_t s);

struct gx_shm_channel {
    struct gx_shm_segment mine, theirs;
    size_t area;                 /* slot bytes after the control words */
    struct gx_shm_ring out, in;  /* out: in mine */
    cudaEvent_t out_ev[GX_SHM_RING_MAX_SLOTS], in_ev[GX_SHM_RING_MAX_SLOTS];
    long peer_pid;
    int kernel_addr;             /* the copies use the GPU's mapping of the slots */
    uint64_t filled, published, drained, freed; /* since reset; both sides' equal between */
};

/* Both sides, while neither transfers; agreed: GX_ESKIP on both without shared memory. */
int gx_shm_channel_prepare(const struct gx_ep *ep, struct gx_shm_channel *ch, const char *what,
                           int nslots, size_t slot_bytes, struct gx_err *err);
/* Op i is chunk i % nchunks. A failure raises both abort words, so that the peer stops too. */
int gx_shm_channel_xfer(struct gx_shm_channel *ch, const struct gx_ep *ep, enum gx_dir dir,
                        const struct gx_chunking *pl, size_t total, gx_shm_copy_fn copy,
                        cudaStream_t put, cudaStream_t get, struct gx_err *err);
void gx_shm_channel_close(struct gx_shm_channel *ch);

#endif
