/* all-disjoint: 0:1, 2:3, ... all at once, in one round. */
#include "scheme.h"

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    (void)spec;
    int n = l->nranks / 2;
    GX_TRY(gx_pairs_alloc(out, 1, n, err));
    out->rounds[0] = (struct gx_round){n, out->storage};
    for (int i = 0; i < n; i++)
        out->storage[i] = (struct gx_pair){2 * i, 2 * i + 1};
    return GX_OK;
}

const struct gx_scheme gx_scheme_disjoint = {
    .name = "all-disjoint",
    .what = "0:1, 2:3, ... at once, in one round",
    .build = build,
};
