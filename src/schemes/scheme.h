/* The pair schemes: one entry per --pairs keyword (and one for pair lists), each saying how its
 * rounds are built and which matrices its results make. */
#ifndef GX_SCHEME_H
#define GX_SCHEME_H

#include "pairs.h"

/* Matrices a scheme's results fill (views.h says how a pair lands in each). */
enum {
    GX_VIEW_RANKS = 1 << 0,      /* rank x rank: every ordered pair of ranks */
    GX_VIEW_RAILS = 1 << 1,      /* per rail, node x node */
    GX_VIEW_RAIL_MAP = 1 << 2,   /* rail x ordered node pair */
    GX_VIEW_NODE_LOCAL = 1 << 3, /* per node, local rank x local rank */
};

struct gx_scheme {
    const char *name;  /* the --pairs keyword; NULL: the pair list A:B[,C:D...] */
    const char *what;  /* one line for --help and --dry-run */
    /* Needs a regular layout of at least 2 nodes (1: at least 2 nodes; 0: any). */
    int needs_nodes;
    unsigned views;    /* GX_VIEW_* */
    /* Builds the rounds; the layout was checked against needs_nodes. */
    int (*build)(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err);
};

extern const struct gx_scheme gx_scheme_list, gx_scheme_disjoint, gx_scheme_all,
    gx_scheme_concurrent, gx_scheme_rails, gx_scheme_nodes, gx_scheme_intra, gx_scheme_ring;
/* Every scheme, NULL-terminated; the pair list last. */
extern const struct gx_scheme *const gx_schemes[];

/* Rounds over the ordered node pairs (round-robin, each node in one node pair per round), each
 * node pair on the rails [0, nrails): rails and nodes share it. */
int gx_scheme_node_rounds(const struct gx_layout *l, int nrails, struct gx_pairs *out,
                          struct gx_err *err);

/* The scheme a --pairs value names (a list when it is no keyword). */
const struct gx_scheme *gx_scheme_of(const char *spec);
/* "all-disjoint, all, ..." : the keywords, for messages. */
const char *gx_scheme_keywords(void);

#endif
