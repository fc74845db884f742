/* intra: every node's all-concurrent over its own ranks, every node at the same time: the
 * local ranks in round-robin rounds (2(G-1) for G ranks per node, G even), so that each node's
 * GPU links are loaded as a node-local collective loads them. */
#include "scheme.h"

#include <stdlib.h>

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    (void)spec;
    int g = l->per_node, nrounds = gx_circle_rounds(g);
    int *x = malloc((size_t)g * sizeof *x), *y = malloc((size_t)g * sizeof *y);
    int rc = x && y ? gx_pairs_alloc(out, nrounds, (long)l->nnodes * g * (g - 1), err)
                    : gx_fail(err, GX_ERUNTIME, "out of host memory for %d ranks' rounds", g);
    struct gx_pair *next = out->storage;
    for (int r = 0; r < nrounds && rc == GX_OK; r++) {
        int k = gx_circle_round(g, r, x, y);
        out->rounds[r] = (struct gx_round){k * l->nnodes, next};
        for (int node = 0; node < l->nnodes; node++)
            for (int i = 0; i < k; i++)
                *next++ = (struct gx_pair){gx_layout_rank(l, node, x[i]),
                                           gx_layout_rank(l, node, y[i])};
    }
    free(x);
    free(y);
    return rc;
}

const struct gx_scheme gx_scheme_intra = {
    .name = "intra",
    .what = "every node's ranks, all ordered pairs, every node at once",
    .needs_nodes = 1,
    .views = GX_VIEW_NODE_LOCAL,
    .build = build,
};
