/* Health findings from the kept results against their routes' line rates (line_health.c). */
#ifndef GX_LINE_HEALTH_H
#define GX_LINE_HEALTH_H

#include "kept.h"
#include "links.h"

#include <stddef.h>

/* "Well below its siblings": under GX_BELOW_SIBLINGS of the median of the others measured alike
 * over the same kind of link at the same line rate, GX_SIBLINGS_MIN of them at least. The one
 * rule of the finding "below-siblings", the matrices' marks and the host links'. */
#define GX_BELOW_SIBLINGS 0.8
#define GX_SIBLINGS_MIN 2
/* The median of v (sorted in place); 0 with fewer than GX_SIBLINGS_MIN. */
double gx_siblings_median(double *v, size_t n);

int gx_kept_below_siblings(const struct gx_kept *kept, size_t n, const struct gx_kept *k);

/* The kept results' findings, and the rounds they were measured in. */
struct gx_view_ops;
extern const struct gx_view_ops gx_view_kept;

#endif
