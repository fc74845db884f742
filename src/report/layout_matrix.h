/* Matrices over the job's layout, for the node schemes: per rail a node x node matrix, the rail
 * map (rail x ordered node pair) and per node a local rank matrix; with the slow cells and the
 * slow nodes named. Rank 0 only. */
#ifndef GX_LAYOUT_MATRIX_H
#define GX_LAYOUT_MATRIX_H

#include "kept.h"
#include "pairs.h"

/* One complete matrix of one view: its cells by row, NAN where the view has no pair. */
struct gx_layout_matrix {
    const struct gx_kept *first; /* its measurement's earliest result the view places */
    const struct gx_layout *l;
    int view;                    /* GX_VIEW_RAILS, GX_VIEW_RAIL_MAP or GX_VIEW_NODE_LOCAL */
    int m;                       /* the rail (rails), the node (node local); 0 for the map */
    int rows, cols;
    double *val;
    char *mark;
};
struct gx_layout_matrix_set {
    struct gx_layout_matrix *m;  /* in the order their measurement first placed a result */
    size_t n;
    const struct gx_layout *l;
};

struct gx_view_ops;
extern const struct gx_view_ops gx_view_layout_matrices;
void gx_layout_matrices_free(void *set);

#endif
