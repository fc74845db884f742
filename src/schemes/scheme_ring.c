/* ring: each rank with the next, one pair at a time: every rank initiates once, alone. */
#include "scheme.h"

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    (void)spec;
    int n = l->nranks;
    if (n < 2)
        return gx_fail(err, GX_EINPUT, "--pairs ring needs 2 ranks at least (the job has %d)", n);
    GX_TRY(gx_pairs_one_per_round(out, n, err));
    for (int r = 0; r < n; r++)
        out->storage[r] = (struct gx_pair){r, (r + 1) % n};
    return GX_OK;
}

const struct gx_scheme gx_scheme_ring = {
    .name = "ring",
    .what = "each rank with the next, the last with rank 0, one at a time (N rounds)",
    .build = build,
};
