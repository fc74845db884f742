/* A collective's expected busbw from the links its group crosses (docs/line-rates.md, "A
 * collective across nodes"): the ring's narrowest hop within a node, one NIC's share for an
 * alltoall across nodes, the better of the ring and the tree for an allreduce across nodes. */
#ifndef GX_COLL_BOUND_H
#define GX_COLL_BOUND_H

#include "coll.h"
#include "links_store.h"
#include "result.h"

struct gx_coll_bound {
    double gbs;                 /* the expected busbw, GB/s; 0 unknown */
    int nodes;                  /* the group's nodes */
    char rule[GX_LINE_WHAT];    /* the arithmetic, in words */
};

/* ring_gbs: the narrowest hop of the group's ring in rank order (its line rate). */
void gx_coll_bound(enum gx_coll op, const struct gx_link_store *s, const int *members, int n,
                   double ring_gbs, struct gx_coll_bound *out);

#endif
