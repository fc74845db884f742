/* The transfer plan: per pair type and size class, the fastest path and the runner-up. */
#ifndef GX_TRANSFER_PLAN_H
#define GX_TRANSFER_PLAN_H

#include "kept.h"

/* How a pair's GPUs connect ("NV18", "PXB", "X"; "" unknown): it sorts same-node pairs into
 * the plan's pair types. */
struct gx_pair_link {
    int a, b;
    char link[24];
};

/* The context's pairs and their links into *out (the caller frees it). */
struct gx_context;
int gx_pair_links(const struct gx_context *c, struct gx_pair_link **out, size_t *n);
/* One way of moving data at a row's size, summed over the pairs that measured it. */
struct gx_transfer_plan_way {
    const struct gx_kept *first; /* a result of it, for its names; NULL: no such way */
    double gbps_sum, eff_sum, line_sum;
    int n, neff, nline;
    int exceeded, within, unsound, noisy; /* pairs whose result says so */
};
/* A pair type, data location and size class: its best way and the best of another path. */
struct gx_transfer_plan_row {
    int pair_type, data, size_class;
    size_t size;                 /* the class's largest measured size */
    struct gx_transfer_plan_way best, runner_up;
};
struct gx_transfer_plan {
    struct gx_transfer_plan_row *rows;
    size_t n;
};


int gx_transfer_plan_make(struct gx_transfer_plan *p, const struct gx_kept *res, size_t nres,
                          const struct gx_pair_link *links, size_t nlinks);
struct gx_view_ops;
extern const struct gx_view_ops gx_view_transfer_plan;
void gx_transfer_plan_free(void *state);

#endif
