/* The one harness: runs every measurement the options ask for, on every rank in lockstep, and
 * hands each finished result through the sink's door (sink_ops.h) to rank 0's report and
 * table. */
#ifndef GX_HARNESS_H
#define GX_HARNESS_H

#include "ceiling.h"
#include "harness_out.h"
#include "job.h"
#include "mplan.h"
#include "rating.h"
#include "sink_ops.h"

/* Executes the plan, pass after pass with --soak: first its ceiling probes, whose points rank 0
 * keeps in *ceilings (NULL: none kept; other ranks may pass NULL) and hands to the sink before
 * the first result, then the results, each to the sink (rank 0), rated against the ceilings
 * when its run measures them. Every rank passes its sink's door (sink_ops.h says which events
 * come on every rank). Returns GX_OK unless the run had to stop (then err says why). */
int gx_harness_run(const struct gx_job *job, const struct gx_options *o,
                   const struct gx_mplan *plan, const struct gx_sink_door *sink,
                   struct gx_ceilings *ceilings, struct gx_harness_out *ho, struct gx_err *err);

#endif
