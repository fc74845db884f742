/* The transfer plan: per pair type (same node over NVLink, same node over PCIe, other node) and
 * size class, the fastest path with its chunk/depth and the runner-up, from the bw results. */
#ifndef GX_PLAN_H
#define GX_PLAN_H

#include "kept.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* A pair of ranks and how their GPUs connect: the context's pairs[].link ("NV18", "PXB", "X",
 * ...; "" when the report has none), which sorts same-node pairs into the plan's pair types. */
struct gx_pair_link {
    int a, b;
    char link[24];
};

/* The context's measured pairs and their links into *out (NULL when none; the caller frees it):
 * GX_OK, or GX_ERUNTIME when out of memory. */
struct gx_context;
int gx_pair_links(const struct gx_context *c, struct gx_pair_link **out, size_t *n);
/* The report's "plan" array from the kept results (empty when no bandwidth result was
 * measured), or NULL when out of memory. */
cJSON *gx_plan(const struct gx_kept *res, size_t nres, const struct gx_pair_link *links,
               size_t nlinks);
void gx_plan_print(FILE *out, const cJSON *plan);

#endif
