/* Host memory a GPU addresses directly, the peer's shared too: no MPI copy between. */
#ifndef GX_SHM_SEGMENT_H
#define GX_SHM_SEGMENT_H

#include "path.h"

struct gx_shm_segment {
    void *host;   /* as this process addresses it */
    void *dev;    /* as this rank's GPU addresses it */
    size_t bytes;
    int shared;   /* 1: a shm mapping registered here, 0: cudaHostAlloc */
};

int gx_shm_segment_pinned(size_t bytes, struct gx_shm_segment *s, struct gx_err *err);
/* Both sides at once; agreed within the pair, nothing left mapped on failure. */
int gx_shm_segment_exchange(const struct gx_ep *ep, const char *what, size_t bytes, int gpu,
                            struct gx_shm_segment *mine, struct gx_shm_segment *theirs,
                            long *peer_pid, struct gx_err *err);
void gx_shm_segment_release(struct gx_shm_segment *s);
/* Before the watchdog's _exit: removes a name in progress, refuses new ones. Thread-safe. */
void gx_shm_segment_unlink_named(void);

/* A point where neither side uses a shared ring, so that one may re-initialize it. */
int gx_shm_pair_sync(const struct gx_ep *ep, struct gx_err *err);

#endif
