/* Health findings from the kept results against their routes' line rates (line_health.c). */
#ifndef GX_LINE_HEALTH_H
#define GX_LINE_HEALTH_H

#include "kept.h"
#include "links.h"

#include <stddef.h>

/* Appends to h, which holds nh findings already, those of the n kept results (at most max in
 * all): a result above its route's line rate, a ceiling below its link kind's usual share of
 * the line rate (bandwidth at 16 MiB and more). Returns the new count. */
int gx_health_from_results(const struct gx_kept *kept, size_t n, struct gx_health *h, int nh,
                           int max);

#endif
