/* all: every ordered pair alone, in shift order (rank i with i+k) as mpiGraph walks the ranks. */
#include "scheme.h"

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    (void)spec;
    int nranks = l->nranks;
    long n = (long)nranks * (nranks - 1);
    if (n > 1L << 30)
        return gx_fail(err, GX_EINPUT, "--pairs all on %d ranks is %ld measurements of one "
                       "pair each (use rails, nodes or all-concurrent)", nranks, n);
    GX_TRY(gx_pairs_one_per_round(out, (int)n, err));
    long i = 0;
    for (int k = 1; k < nranks; k++)
        for (int r = 0; r < nranks; r++)
            out->storage[i++] = (struct gx_pair){r, (r + k) % nranks};
    return GX_OK;
}

const struct gx_scheme gx_scheme_all = {
    .name = "all",
    .what = "every ordered pair of ranks, one at a time (N(N-1) rounds)",
    .views = GX_VIEW_RANKS,
    .build = build,
};
