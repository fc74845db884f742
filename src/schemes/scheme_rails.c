/* rails: local rank i of every node with local rank i of every other, every rail at once. */
#include "scheme.h"

static struct gx_pair rail_pair(const struct gx_layout *l, const int *x, const int *y, int k,
                                int ncopies, int j)
{
    (void)k;
    int i = j / ncopies, rail = j % ncopies;
    return (struct gx_pair){gx_layout_rank(l, x[i], rail), gx_layout_rank(l, y[i], rail)};
}

int gx_scheme_node_rounds(const struct gx_layout *l, int nrails, struct gx_pairs *out,
                          struct gx_err *err)
{
    return gx_circle_schedule(l, l->nnodes, "nodes", nrails, rail_pair, out, err);
}

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    (void)spec;
    return gx_scheme_node_rounds(l, l->per_node, out, err);
}

const struct gx_scheme gx_scheme_rails = {
    .name = "rails",
    .what = "local rank i with local rank i of every other node, every rail at once, node "
            "pairs in round-robin rounds",
    .needs_nodes = 2,
    .views = GX_VIEW_RAILS | GX_VIEW_RAIL_MAP,
    .build = build,
};
