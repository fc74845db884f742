/* Matrices over the job's layout, for the node schemes (scheme.h's views): per rail a node x
 * node matrix, the rail map (rail x ordered node pair) and per node a local rank x local rank
 * matrix; with the slow cells named by rail, hosts, GPUs and NICs. Rank 0 only. */
#ifndef GX_LAYOUT_MATRIX_H
#define GX_LAYOUT_MATRIX_H

#include "context.h"
#include "kept.h"
#include "pairs.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* The report's "layout_matrices" from the kept results for the views (GX_VIEW_RAILS,
 * GX_VIEW_RAIL_MAP, GX_VIEW_NODE_LOCAL) of the runs' schemes: only the complete ones; NULL when
 * none is (or out of memory: *oom says so). */
cJSON *gx_layout_matrices(const struct gx_kept *res, size_t nres, const struct gx_layout *l,
                          unsigned views, const char **oom);
/* Prints each, and flags the cells below slow x its median (latency: above median / slow). */
void gx_layout_matrices_print(FILE *out, const cJSON *mats, const struct gx_context *context,
                              double slow);

#endif
