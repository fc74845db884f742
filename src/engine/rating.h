/* Rating a result against the machine's own limits: the ceiling that its path's declared bounds
 * (gx_path_ops.bounds) name, from the probes' curves (ceiling.h, plain data below the
 * paths). Here, above both, because it reads the path's ops and the memory kinds. */
#ifndef GX_RATING_H
#define GX_RATING_H

#include "ceiling.h"
#include "job.h"
#include "path.h"
#include "result.h"

/* The result's ceiling from its path's declared bounds, and its efficiency: median / ceiling
 * for GB/s, ceiling / median for latency (us). No ceilings (--ceilings off) or a result that
 * is not ok: nothing is set. No ceiling known: ceiling 0 and the reason in ceiling_what. A
 * median whose 95% interval lies beyond the ceiling sets ceiling_exceeded: the ceiling is then
 * no bound here; one above it (efficiency above 1) whose interval reaches it sets
 * ceiling_within: at the ceiling. A point that is no bound (gx_ceil_unsound, or beaten more than GX_CEIL_BEYOND
 * times) sets ceiling_unsound, ceiling 0 and the reason: res->noise must be judged first.
 * `what` is the buffer ceiling_what points to. */
void gx_ceiling_apply(const struct gx_ceilings *c, const struct gx_path_ops *ops,
                      struct gx_result *res, char *what, size_t len);

/* The result's line rate and its share (rank 0, which holds every rank's link facts): the
 * route of its pair for its memory kinds and path (GX_PATH_VIA_HOST), gx_route_pair. Bandwidth
 * patterns only; a both-ways pattern against both directions' rate. */
void gx_line_apply(const struct gx_job *job, const struct gx_path_ops *ops,
                   struct gx_result *res);

#endif
