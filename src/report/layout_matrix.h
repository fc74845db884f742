/* Matrices over the job's layout, for the node schemes (scheme.h's views): per rail a node x
 * node matrix, the rail map (rail x ordered node pair) and per node a local rank x local rank
 * matrix; with the slow cells named by rail, hosts, GPUs and NICs, and the nodes most of whose
 * sends or receives on a rail are slow (the health finding slow-node). Rank 0 only. */
#ifndef GX_LAYOUT_MATRIX_H
#define GX_LAYOUT_MATRIX_H

#include "kept.h"
#include "pairs.h"

/* One complete matrix of one view, typed: its cells by row, NAN where the view has no pair (the
 * diagonal). */
struct gx_layout_matrix {
    const struct gx_kept *first; /* its measurement's earliest result the view places */
    const struct gx_layout *l;   /* the layout it was made for (the ranks of the cells) */
    int view;                    /* GX_VIEW_RAILS, GX_VIEW_RAIL_MAP or GX_VIEW_NODE_LOCAL */
    int m;                       /* the rail (rails), the node (node local); 0 for the map */
    int rows, cols;
    double *val;                 /* rows x cols */
    char *mark;                  /* the same cells: GX_MATRIX_DISTURBED where the machine
                                    disturbed the median (its noise), else ' ' */
};
struct gx_layout_matrix_set {
    struct gx_layout_matrix *m;  /* in the order their measurement first placed a result */
    size_t n;
    const struct gx_layout *l;   /* the layout they were made for (the ranks of the cells) */
};

/* The matrices as a view (view.h): the complete matrices of the kept results for the views
 * (GX_VIEW_RAILS, GX_VIEW_RAIL_MAP, GX_VIEW_NODE_LOCAL) of the runs' schemes, the report's
 * "layout_matrices" and the table's. */
struct gx_view_ops;
extern const struct gx_view_ops gx_view_layout_matrices;
void gx_layout_matrices_free(void *set);

#endif
