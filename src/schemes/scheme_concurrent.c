/* all-concurrent: every ordered pair of ranks, in rounds of disjoint pairs that run at once, so
 * every rank is busy in every round (one idles per round when N is odd): the loaded map, where
 * shared links and switches show up as contention. */
#include "scheme.h"

#include <stdlib.h>

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    (void)spec;
    int n = l->nranks, nrounds = gx_circle_rounds(n);
    int *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    int rc = x && y ? gx_pairs_alloc(out, nrounds, (long)n * (n - 1), err)
                    : gx_fail(err, GX_ERUNTIME, "out of host memory for %d ranks' rounds", n);
    struct gx_pair *next = out->storage;
    for (int r = 0; r < nrounds && rc == GX_OK; r++) {
        int k = gx_circle_round(n, r, x, y);
        out->rounds[r] = (struct gx_round){k, next};
        for (int i = 0; i < k; i++)
            *next++ = (struct gx_pair){x[i], y[i]};
    }
    free(x);
    free(y);
    return rc;
}

const struct gx_scheme gx_scheme_concurrent = {
    .name = "all-concurrent",
    .what = "every ordered pair of ranks, in rounds of disjoint pairs at once",
    .views = GX_VIEW_RANKS,
    .build = build,
};
