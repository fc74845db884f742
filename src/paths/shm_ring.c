#include "shm_ring.h"

#include <errno.h>
#include <signal.h>
#include <sys/types.h>

int gx_shm_ring_init(struct gx_shm_ring_ctl *ctl, int nslots, struct gx_err *err)
{
    if (nslots < 1 || nslots > GX_SHM_RING_MAX_SLOTS)
        return gx_fail(err, GX_ERUNTIME, "shared-memory ring: %d slots (1..%d)", nslots,
                       GX_SHM_RING_MAX_SLOTS);
    /* Shared by two processes: a lock would live in each apart. */
    if (!atomic_is_lock_free(&ctl->abort.v))
        return gx_fail(err, GX_ESKIP, "64-bit atomics are not lock-free here: no ring shared "
                       "between processes");
    for (int s = 0; s < GX_SHM_RING_MAX_SLOTS; s++)
        atomic_store_explicit(&ctl->seq[s].v, 2 * (uint64_t)s, memory_order_relaxed);
    atomic_store_explicit(&ctl->abort.v, 0, memory_order_release);
    return GX_OK;
}

void gx_shm_ring_attach(struct gx_shm_ring *r, struct gx_shm_ring_ctl *ctl, int nslots,
                        size_t slot_bytes)
{
    r->ctl = ctl;
    r->nslots = nslots;
    r->slot_bytes = slot_bytes;
}

static _Atomic uint64_t *seq_of(const struct gx_shm_ring *r, uint64_t op)
{
    return &r->ctl->seq[op % (uint64_t)r->nslots].v;
}

int gx_shm_ring_can_fill(const struct gx_shm_ring *r, uint64_t op)
{
    return atomic_load_explicit(seq_of(r, op), memory_order_acquire) == 2 * op;
}

void gx_shm_ring_mark_full(struct gx_shm_ring *r, uint64_t op)
{
    atomic_store_explicit(seq_of(r, op), 2 * op + 1, memory_order_release);
}

int gx_shm_ring_can_drain(const struct gx_shm_ring *r, uint64_t op)
{
    return atomic_load_explicit(seq_of(r, op), memory_order_acquire) == 2 * op + 1;
}

void gx_shm_ring_mark_free(struct gx_shm_ring *r, uint64_t op)
{
    atomic_store_explicit(seq_of(r, op), 2 * (op + (uint64_t)r->nslots), memory_order_release);
}

void gx_shm_ring_raise(struct gx_shm_ring *r, int code)
{
    uint64_t none = 0;
    atomic_compare_exchange_strong_explicit(&r->ctl->abort.v, &none,
                                            (uint64_t)(code ? code : GX_ERUNTIME),
                                            memory_order_acq_rel, memory_order_acquire);
}

int gx_shm_ring_raised(const struct gx_shm_ring *r)
{
    return (int)atomic_load_explicit(&r->ctl->abort.v, memory_order_acquire);
}

int gx_shm_process_alive(long pid)
{
    if (pid <= 0)
        return 1;
    return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

int gx_shm_poll_step(struct gx_shm_poll *w, int progressed, struct gx_err *err)
{
    for (int i = 0; i < w->nrings; i++)
        if (gx_shm_ring_raised(w->ring[i]))
            return gx_fail(err, GX_ERUNTIME, "rank %d gave up the transfer through shared "
                           "memory (code %d)", w->peer_rank, gx_shm_ring_raised(w->ring[i]));
    if (progressed) {
        w->idle = 0;
        return GX_OK;
    }
    if (++w->idle % GX_SHM_POLL_PEER_CHECK == 0 && !gx_shm_process_alive(w->peer_pid))
        return gx_fail(err, GX_ERUNTIME, "rank %d (process %ld) is gone while this rank waited "
                       "on their shared memory", w->peer_rank, w->peer_pid);
    return GX_OK;
}
