/* Health findings from the kept results against their routes' line rates (line_health.c). */
#ifndef GX_LINE_HEALTH_H
#define GX_LINE_HEALTH_H

#include "kept.h"
#include "links.h"

#include <stddef.h>

/* "Well below its siblings": under GX_BELOW_SIBLINGS of the median of the others measured alike
 * over the same kind of link at the same line rate, GX_SIBLINGS_MIN of them at least (as
 * --slow-pair's default). The one rule of the pairs' finding "below-siblings", the matrices'
 * marks and the host links' (host_map.c). */
#define GX_BELOW_SIBLINGS 0.8
#define GX_SIBLINGS_MIN 2
/* The siblings' median of the n values in v (sorted in place); 0 with fewer than
 * GX_SIBLINGS_MIN. */
double gx_siblings_median(double *v, size_t n);

/* Whether k is well below its siblings: under 0.8 of the median of the same measurement's
 * other pairs (two at least) over the same kind of link at the same line rate, among the n
 * kept. The one rule of the health finding "below-siblings" and of the matrices' marks. */
int gx_kept_below_siblings(const struct gx_kept *kept, size_t n, const struct gx_kept *k);

/* The kept results as a view (view.h): their findings (a result above its route's line rate, a
 * ceiling below its link kind's usual share of it, a pair well below its siblings), and the
 * rounds they were measured in. */
struct gx_view_ops;
extern const struct gx_view_ops gx_view_kept;

#endif
