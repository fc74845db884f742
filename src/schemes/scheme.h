#ifndef GX_SCHEME_H
#define GX_SCHEME_H

#include "pairs.h"

enum {
    GX_VIEW_RANKS = 1 << 0,      /* rank x rank: every ordered pair of ranks */
    GX_VIEW_RAILS = 1 << 1,      /* per rail, node x node */
    GX_VIEW_RAIL_MAP = 1 << 2,   /* rail x ordered node pair */
    GX_VIEW_NODE_LOCAL = 1 << 3, /* per node, local rank x local rank */
};

struct gx_scheme {
    const char *name;  /* the --pairs keyword; NULL: the pair list A:B[,C:D...] */
    const char *what;  /* one line for --help and --dry-run */
    int needs_nodes;   /* a regular layout (2: of 2 nodes at least; 1: 2 ranks a node) */
    unsigned views;    /* GX_VIEW_* */
    int groups;        /* its rounds hold groups of ranks, for the collectives */
    /* NULL: the pair list's, the one builder that reads the --pairs value */
    int (*build)(const struct gx_layout *l, struct gx_pairs *out, struct gx_err *err);
};

extern const struct gx_scheme gx_scheme_list, gx_scheme_disjoint, gx_scheme_all,
    gx_scheme_concurrent, gx_scheme_rails, gx_scheme_nodes, gx_scheme_intra, gx_scheme_ring,
    gx_scheme_job, gx_scheme_node;
extern const struct gx_scheme *const gx_schemes[];

const struct gx_scheme *gx_scheme_of(const char *spec);
const char *gx_scheme_keywords(void);

#endif
