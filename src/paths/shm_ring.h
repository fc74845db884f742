/* A single-producer, single-consumer ring of slots in shared memory, with no lock, system call
 * or message; CUDA- and MPI-free, so that tests/test_shm_ring.c runs it on host memory.
 * Op k goes through slot k % nslots, whose sequence word is 2k when free for it and 2k + 1 when
 * full. The words only grow: nothing is reset between messages and a stale word cannot pass
 * for a fresh one. */
#ifndef GX_SHM_RING_H
#define GX_SHM_RING_H

#include "gx.h"

#include <stdatomic.h>
#include <stdint.h>

#define GX_SHM_RING_MAX_SLOTS 64 /* --depth's limit */

/* A cache line each, so that stores to neighbouring slots do not contend. */
struct gx_shm_ring_word {
    _Atomic uint64_t v;
    char pad[64 - sizeof(uint64_t)];
};
struct gx_shm_ring_ctl {
    struct gx_shm_ring_word abort; /* 0, or the gx_rc of the side that gave up */
    struct gx_shm_ring_word seq[GX_SHM_RING_MAX_SLOTS];
};

/* One side's view: the slots may lie anywhere, the ring only says where op k goes. */
struct gx_shm_ring {
    struct gx_shm_ring_ctl *ctl;
    size_t slot_bytes;
    int nslots;
};

/* Only while neither side uses the ring. */
int gx_shm_ring_init(struct gx_shm_ring_ctl *ctl, int nslots, struct gx_err *err);
void gx_shm_ring_attach(struct gx_shm_ring *r, struct gx_shm_ring_ctl *ctl, int nslots,
                        size_t slot_bytes);

static inline size_t gx_shm_ring_offset(const struct gx_shm_ring *r, uint64_t op)
{
    return (size_t)(op % (uint64_t)r->nslots) * r->slot_bytes;
}

int gx_shm_ring_can_fill(const struct gx_shm_ring *r, uint64_t op);
void gx_shm_ring_mark_full(struct gx_shm_ring *r, uint64_t op);
int gx_shm_ring_can_drain(const struct gx_shm_ring *r, uint64_t op);
void gx_shm_ring_mark_free(struct gx_shm_ring *r, uint64_t op);

/* Either side gives up with a gx_rc, stopping the other's waits; the first stays. */
void gx_shm_ring_raise(struct gx_shm_ring *r, int code);
int gx_shm_ring_raised(const struct gx_shm_ring *r);

/* Fails on an abort word or a peer gone; one stopped but alive is the watchdog's. */
#define GX_SHM_POLL_PEER_CHECK 65536u
struct gx_shm_poll {
    const struct gx_shm_ring *ring[2];
    int nrings;
    long peer_pid;
    int peer_rank;
    unsigned idle;
};
int gx_shm_poll_step(struct gx_shm_poll *w, int progressed, struct gx_err *err);
/* 0 only when it is gone. */
int gx_shm_process_alive(long pid);

#endif
