/* The slow nodes a layout matrix names (slow_nodes.c). */
#ifndef GX_SLOW_NODES_H
#define GX_SLOW_NODES_H

#include "kept.h"

#include <cjson/cJSON.h>
#include <stdio.h>

struct gx_context;
struct gx_health;
struct gx_run;

/* x's "slow_nodes" into o (an empty list: none named). */
void gx_slow_nodes_json(cJSON *o, const struct gx_layout_matrix *x, const struct gx_run *run);
/* The table's "# slow nodes" lines under x. */
void gx_slow_nodes_print(FILE *out, const struct gx_layout_matrix *x,
                         const struct gx_context *context, double slow);
/* One "slow-node" finding per node and rail (state: the layout matrices' set): the rail map's
 * where there is one, so that one slow node is one finding. */
int gx_slow_nodes_findings(const void *state, const struct gx_run *run, struct gx_health *h,
                           int nh, int max);

#endif
