/* Which ranks talk: rounds of disjoint pairs; every pair of a round runs at the same time. */
#ifndef GX_PAIRS_H
#define GX_PAIRS_H

#include "gx.h"

struct gx_pair {
    int a, b; /* a is the initiator (the sender of bw); a < b except for --pairs all* */
};

struct gx_round {
    int npairs;
    struct gx_pair *pairs;
};

struct gx_pairs {
    int nrounds;
    struct gx_round *rounds;
    struct gx_pair *storage;
};

int gx_pairs_resolve(const char *spec, int nranks, struct gx_pairs *out, struct gx_err *err);
void gx_pairs_free(struct gx_pairs *p);
/* The pair of `rank` in a round, or NULL when it sits this round out. */
const struct gx_pair *gx_round_find(const struct gx_round *round, int rank);

#endif
