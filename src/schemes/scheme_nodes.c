/* nodes: one pair per ordered node pair, local rank 0 with local rank 0, in round-robin rounds. */
#include "scheme.h"

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    (void)spec;
    return gx_scheme_node_rounds(l, 1, out, err);
}

const struct gx_scheme gx_scheme_nodes = {
    .name = "nodes",
    .what = "one pair per ordered node pair (local rank 0 of each), in round-robin rounds",
    .needs_nodes = 2,
    .views = GX_VIEW_RAILS,
    .build = build,
};
