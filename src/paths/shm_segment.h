/* Host memory a GPU addresses directly (registered with CUDA, mapped): this process's own
 * pinned memory, or a POSIX shared-memory segment that one rank creates and its peer on the
 * same node maps too, so that either side's GPU (copy engine or kernel) reaches the other's
 * host buffer with no MPI copy in between. Shared by the zerocopy and staged paths. */
#ifndef GX_SHM_SEGMENT_H
#define GX_SHM_SEGMENT_H

#include "path.h"

struct gx_shm_segment {
    void *host;   /* as this process addresses it */
    void *dev;    /* as this rank's GPU addresses it */
    size_t bytes;
    int shared;   /* 1: a shm mapping registered here, 0: cudaHostAlloc */
};

/* This process's own mapped, pinned memory (CUDA builds). */
int gx_shm_segment_pinned(size_t bytes, struct gx_shm_segment *s, struct gx_err *err);
/* Both sides of a same-node pair at once: creates this side's segment of `bytes` (mine) and
 * maps the peer's (theirs, the size the peer gave it), both registered with this rank's GPU
 * when `gpu` (dev set; else dev NULL, and no CUDA needed). The names are random, created
 * O_EXCL (a name taken is retried under a fresh one) and removed once the peer has the segment
 * open, so nothing is left in /dev/shm even if the job dies later. Agreed within the pair:
 * both sides succeed, or both fail (GX_ESKIP with the reason, e.g. /dev/shm too small) with
 * nothing left mapped. *peer_pid: the peer's process id, for gx_shm_poll. */
int gx_shm_segment_exchange(const struct gx_ep *ep, const char *what, size_t bytes, int gpu,
                            struct gx_shm_segment *mine, struct gx_shm_segment *theirs,
                            long *peer_pid, struct gx_err *err);
void gx_shm_segment_release(struct gx_shm_segment *s);
/* For a process about to end without returning (the watchdog's _exit): removes the segment name
 * an exchange in progress made, and refuses new ones from then on. Thread-safe. */
void gx_shm_segment_unlink_named(void);

/* Returns once the peer called it too: a point where neither side is using a shared ring,
 * so that one side may re-initialize it. */
int gx_shm_pair_sync(const struct gx_ep *ep, struct gx_err *err);

#endif
