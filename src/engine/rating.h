/* Rating a result against the machine's own limits: the ceiling that its path's declared bounds
 * (gx_path_ops.bounds) name, from the calibration's curves (ceiling.h, plain data below the
 * paths). Here, above both, because it reads the path's ops and the memory kinds. */
#ifndef GX_RATING_H
#define GX_RATING_H

#include "ceiling.h"
#include "job.h"
#include "path.h"
#include "result.h"

/* The GX_IF_* conditions that hold for a pair's buffers of these memory kinds and its nodes. */
unsigned gx_bound_conditions(int src_kind, int dst_kind, int same_node);

/* The result's ceiling from its path's declared bounds, and its efficiency: median / ceiling
 * for GB/s, ceiling / median for latency (us). No ceilings (calibration off) or a result that
 * is not ok: nothing is set. No ceiling known: ceiling 0 and the reason in ceiling_what. A
 * median beyond every repeat of its ceiling, with the 95% interval of the median where the
 * stats have one, sets ceiling_exceeded: the ceiling is then no bound
 * here. `what` is the buffer ceiling_what points to. */
void gx_ceiling_apply(const struct gx_ceilings *c, const struct gx_path_ops *ops,
                      struct gx_result *res, char *what, size_t len);

/* Measures the calibration's point (kind, a, b, size) again, now: called by ranks a and b
 * together, right after a result that crossed it, so that a ceiling taken at a slow moment of
 * the machine does not flag results of a faster one. *again gets the point; repeats 0 when this
 * kind cannot be measured again between the pair (both ranks decide alike, from the kind) or
 * the pair could not (absent says why). The calibration provides it (gx_cal_recheck); the
 * harness, below it, only calls it. */
typedef int (*gx_recheck_fn)(const struct gx_job *job, int kind, int a, int b, size_t size,
                             struct gx_ceil_point *again, struct gx_err *err);

#endif
