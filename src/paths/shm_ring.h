/* A single-producer, single-consumer ring of slots in memory two processes map (a POSIX
 * shared-memory segment): which op goes in which slot, and whether a slot is full or free,
 * with no lock, no system call and no message. CUDA-free and MPI-free: the paths move the data
 * (copy engines, kernels) and keep the books here; tests/test_shm_ring.c runs it on host memory.
 *
 * Op k (the k-th chunk since the ring was initialized, counted by both sides alike) travels
 * through slot k % nslots. Each slot has a sequence word: 2k means "free for op k" (the
 * producer may fill it), 2k + 1 "op k is in it" (the consumer may drain it); draining op k
 * makes it 2(k + nslots), free for the op that comes next to that slot. The words only grow,
 * so nothing is reset between messages and a stale word can never be mistaken for a fresh one.
 * Publishing is a release store after the slot's data is complete; observing is an acquire
 * load before its data is touched.
 *
 * An abort word either side may raise stops the other side's waits with an error. */
#ifndef GX_SHM_RING_H
#define GX_SHM_RING_H

#include "gx.h"

#include <stdatomic.h>
#include <stdint.h>

#define GX_SHM_RING_MAX_SLOTS 64 /* --depth's limit */

/* In the shared memory: each word on its own cache line, so that the producer's and the
 * consumer's stores to neighbouring slots do not contend. */
struct gx_shm_ring_word {
    _Atomic uint64_t v;
    char pad[64 - sizeof(uint64_t)];
};
struct gx_shm_ring_ctl {
    struct gx_shm_ring_word abort; /* 0, or the gx_rc of the side that gave up */
    struct gx_shm_ring_word seq[GX_SHM_RING_MAX_SLOTS];
};

/* One side's view of a ring: its control words and where the slots are. The slots may lie
 * anywhere (host memory, or as a GPU addresses them): the ring only says where op k goes. */
struct gx_shm_ring {
    struct gx_shm_ring_ctl *ctl;
    size_t slot_bytes; /* stride between slots */
    int nslots;
};

/* Sets every word for a ring of nslots (1..GX_SHM_RING_MAX_SLOTS) starting at op 0, abort
 * down. Only while neither side uses the ring (the paths agree on that over MPI first). */
int gx_shm_ring_init(struct gx_shm_ring_ctl *ctl, int nslots, struct gx_err *err);
/* The local view of a ring whose words another side may have set. */
void gx_shm_ring_attach(struct gx_shm_ring *r, struct gx_shm_ring_ctl *ctl, int nslots,
                        size_t slot_bytes);

/* Where op k's slot starts, from the slots' base. */
static inline size_t gx_shm_ring_offset(const struct gx_shm_ring *r, uint64_t op)
{
    return (size_t)(op % (uint64_t)r->nslots) * r->slot_bytes;
}

/* Producer: may op k be written into its slot (the op before it in that slot was drained)? */
int gx_shm_ring_can_fill(const struct gx_shm_ring *r, uint64_t op);
/* Producer: op k's data is complete in its slot. */
void gx_shm_ring_mark_full(struct gx_shm_ring *r, uint64_t op);
/* Consumer: is op k in its slot? */
int gx_shm_ring_can_drain(const struct gx_shm_ring *r, uint64_t op);
/* Consumer: op k was read out; its slot is free for op k + nslots. */
void gx_shm_ring_mark_free(struct gx_shm_ring *r, uint64_t op);

/* Either side: give up, with a reason code (a gx_rc); the first code raised stays. */
void gx_shm_ring_raise(struct gx_shm_ring *r, int code);
/* The code raised, or 0. */
int gx_shm_ring_raised(const struct gx_shm_ring *r);

/* A poll loop over rings shared with one peer process: call gx_shm_poll_step once per pass,
 * saying whether the pass moved anything. It fails (GX_ERUNTIME) when an abort word is up or,
 * looked at every GX_SHM_POLL_PEER_CHECK idle passes, the peer process is gone. A peer that
 * stopped but lives (a hang, SIGSTOP) is the watchdog's: its thread ends the job at the
 * measurement's deadline while this one polls. */
#define GX_SHM_POLL_PEER_CHECK 65536u
struct gx_shm_poll {
    const struct gx_shm_ring *ring[2];
    int nrings;
    long peer_pid;
    int peer_rank; /* for the message */
    unsigned idle;
};
int gx_shm_poll_step(struct gx_shm_poll *w, int progressed, struct gx_err *err);
/* 1 when process pid exists (or cannot be asked), 0 when it is gone. */
int gx_shm_process_alive(long pid);

#endif
