/* intra: every node's all-concurrent over its own ranks, every node at the same time. */
#include "scheme.h"

static struct gx_pair local_pair(const struct gx_layout *l, const int *x, const int *y, int k,
                                 int ncopies, int j)
{
    (void)ncopies;
    int node = j / k, i = j % k;
    return (struct gx_pair){gx_layout_rank(l, node, x[i]), gx_layout_rank(l, node, y[i])};
}

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    (void)spec;
    return gx_circle_schedule(l, l->per_node, "ranks", l->nnodes, local_pair, out, err);
}

const struct gx_scheme gx_scheme_intra = {
    .name = "intra",
    .what = "every node's ranks, all ordered pairs, every node at once",
    .needs_nodes = 1,
    .views = GX_VIEW_NODE_LOCAL,
    .build = build,
};
