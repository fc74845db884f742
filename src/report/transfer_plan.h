/* The transfer plan: per pair type (same node over NVLink, same node over PCIe, other node) and
 * size class, the fastest path with its chunk/depth and the runner-up, from the bw results. */
#ifndef GX_TRANSFER_PLAN_H
#define GX_TRANSFER_PLAN_H

#include "kept.h"

/* A pair of ranks and how their GPUs connect: the context's pairs[].link ("NV18", "PXB", "X",
 * ...; "" when the report has none), which sorts same-node pairs into the transfer plan's pair
 * types. */
struct gx_pair_link {
    int a, b;
    char link[24];
};

/* The context's measured pairs and their links into *out (NULL when none; the caller frees it):
 * GX_OK, or GX_ERUNTIME when out of memory. */
struct gx_context;
int gx_pair_links(const struct gx_context *c, struct gx_pair_link **out, size_t *n);
/* One way of moving data (path, memory kinds, chunk, depth) at the size a transfer plan's row
 * compares, summed over the pairs that measured it. */
struct gx_transfer_plan_way {
    const struct gx_kept *first; /* a result of it, for its names; NULL: no such way */
    double gbps_sum, eff_sum, line_sum;
    int n, neff, nline;
    int exceeded, within, unsound, noisy; /* pairs whose result says so */
};
/* A row: a pair type, where the data is (enum gx_data) and a size class, its best way and the
 * best of another path. */
struct gx_transfer_plan_row {
    int pair_type, data, size_class;
    size_t size;                 /* the class's largest measured size */
    struct gx_transfer_plan_way best, runner_up;
};
struct gx_transfer_plan {
    struct gx_transfer_plan_row *rows;
    size_t n;
};

/* The transfer plan of the kept results into p (no rows when no bandwidth result was
 * measured): GX_OK, or GX_ERUNTIME when out of memory. */
int gx_transfer_plan_make(struct gx_transfer_plan *p, const struct gx_kept *res, size_t nres,
                          const struct gx_pair_link *links, size_t nlinks);
/* The transfer plan as a view (view.h): made from the kept results, the report's "plan", the
 * table's. */
struct gx_view_ops;
extern const struct gx_view_ops gx_view_transfer_plan;
void gx_transfer_plan_free(void *state);

#endif
