/* all-concurrent: every ordered pair in rounds at once, where shared links show contention. */
#include "scheme.h"

static struct gx_pair rank_pair(const struct gx_layout *l, const int *x, const int *y, int k,
                                int ncopies, int j)
{
    (void)l, (void)k, (void)ncopies;
    return (struct gx_pair){x[j], y[j]};
}

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    (void)spec;
    return gx_circle_schedule(l, l->nranks, "ranks", 1, rank_pair, out, err);
}

const struct gx_scheme gx_scheme_concurrent = {
    .name = "all-concurrent",
    .what = "every ordered pair of ranks, in rounds of disjoint pairs at once",
    .views = GX_VIEW_RANKS,
    .build = build,
};
