/* rails: local rank i of every node with local rank i of every other node, every rail at once.
 * The node pairs come in rounds of round-robin scheduling over the nodes: each node is in one
 * node pair per round, so each rank is in one transfer and each rail carries one flow per node
 * (2(N-1) rounds for N nodes, N even; 2N for N odd), and every ordered node pair is measured
 * once on every rail. The loaded rail map: a slow NIC, cable or leaf switch shows as its rail. */
#include "scheme.h"

#include <stdlib.h>

int gx_scheme_node_rounds(const struct gx_layout *l, int first, int nrails,
                          struct gx_pairs *out, struct gx_err *err)
{
    int n = l->nnodes, nrounds = gx_circle_rounds(n);
    int *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    int rc = x && y ? gx_pairs_alloc(out, nrounds, (long)n * (n - 1) * nrails, err)
                    : gx_fail(err, GX_ERUNTIME, "out of host memory for %d nodes' rounds", n);
    struct gx_pair *next = out->storage;
    for (int r = 0; r < nrounds && rc == GX_OK; r++) {
        int k = gx_circle_round(n, r, x, y);
        out->rounds[r] = (struct gx_round){k * nrails, next};
        for (int i = 0; i < k; i++)
            for (int rail = first; rail < first + nrails; rail++)
                *next++ = (struct gx_pair){gx_layout_rank(l, x[i], rail),
                                           gx_layout_rank(l, y[i], rail)};
    }
    free(x);
    free(y);
    return rc;
}

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    (void)spec;
    return gx_scheme_node_rounds(l, 0, l->per_node, out, err);
}

const struct gx_scheme gx_scheme_rails = {
    .name = "rails",
    .what = "local rank i with local rank i of every other node, every rail at once, node "
            "pairs in round-robin rounds",
    .needs_nodes = 2,
    .views = GX_VIEW_RAILS | GX_VIEW_RAIL_MAP,
    .build = build,
};
