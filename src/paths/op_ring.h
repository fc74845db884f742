/* The bookkeeping of a pipelined path's ring of slots: ops 0..total-1 (count messages x
 * nchunks chunks) pass through nslots slots in order, op k in slot k % nslots; an op is issued
 * only while fewer than nslots are in flight (back-pressure) and completes in order. The paths
 * keep their own slot states; staged (through MPI) and unified-prefetch share this. */
#ifndef GX_OP_RING_H
#define GX_OP_RING_H

#include <stddef.h>

struct gx_op_ring {
    int nslots;
    size_t issued, completed, total;
};

static inline void gx_op_ring_start(struct gx_op_ring *r, int nslots, size_t total)
{
    r->nslots = nslots;
    r->issued = r->completed = 0;
    r->total = total;
}

/* May the next op be issued: some left, and a slot free for it. */
static inline int gx_op_ring_may_issue(const struct gx_op_ring *r)
{
    return r->issued < r->total && r->issued - r->completed < (size_t)r->nslots;
}

static inline size_t gx_op_ring_slot(const struct gx_op_ring *r, size_t op)
{
    return op % (size_t)r->nslots;
}

static inline int gx_op_ring_busy(const struct gx_op_ring *r)
{
    return r->completed < r->total;
}

#endif
