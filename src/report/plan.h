/* The transfer plan: per pair type (same node over NVLink, same node over PCIe, other node) and
 * size class, the fastest path with its chunk/depth and the runner-up, from the bw results. */
#ifndef GX_PLAN_H
#define GX_PLAN_H

#include <cjson/cJSON.h>
#include <stdio.h>

/* The report's "plan" array (empty when no bandwidth result was measured), or NULL when out of
 * memory. `pairs` is the context's pair list (for the link of each pair). */
cJSON *gx_plan(const cJSON *results, const cJSON *pairs);
void gx_plan_print(FILE *out, const cJSON *plan);

#endif
