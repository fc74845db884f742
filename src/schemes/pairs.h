/* Which ranks talk: rounds of disjoint pairs that run at the same time. */
#ifndef GX_PAIRS_H
#define GX_PAIRS_H

#include "gx.h"

struct gx_pair {
    int a, b; /* a is the initiator (the sender of bw); a < b for pair lists and all-disjoint */
};

/* A round of groups (--pairs job, node) holds one entry per group: its lowest rank as a, its
 * highest as b; group_of says which entry each rank belongs to (-1: none). */
struct gx_round {
    int npairs;
    struct gx_pair *pairs;
    int *group_of; /* nranks; NULL in a round of pairs */
};

struct gx_pairs {
    int nrounds;
    struct gx_round *rounds;
    struct gx_pair *storage;
    int *group_storage;
    const struct gx_scheme *scheme; /* the scheme that built them */
};

/* Where the ranks are; in a regular layout local rank i of every node is rail i. */
struct gx_layout {
    int nranks, nnodes;
    int per_node;  /* ranks on every node; 0 when nodes hold different numbers (uneven) */
    int *node_of;  /* nranks: node of each rank */
    int *local_of; /* nranks: local rank of each rank */
    int *rank_at;  /* nnodes x per_node: rank of local rank i on node n; NULL when uneven */
    int assumed;   /* --assume-nodes: a layout for --dry-run, not this job's */
};

int gx_layout_make(int nranks, const int *node_of, struct gx_layout *l, struct gx_err *err);
int gx_layout_assume(int nnodes, int per_node, struct gx_layout *l, struct gx_err *err);
void gx_layout_free(struct gx_layout *l);
static inline int gx_layout_rank(const struct gx_layout *l, int node, int local)
{
    return l->rank_at[node * l->per_node + local];
}

int gx_pairs_resolve(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                     struct gx_err *err);
void gx_pairs_free(struct gx_pairs *p);
const struct gx_pair *gx_round_find(const struct gx_round *round, int rank);
/* The members of the group of entry i (ascending), or the pair's two; returns their count. */
int gx_round_members(const struct gx_round *round, int nranks, int i, int *members);

int gx_pairs_alloc(struct gx_pairs *out, int nrounds, long npairs, struct gx_err *err);
int gx_pairs_one_per_round(struct gx_pairs *out, int n, struct gx_err *err);

#endif
