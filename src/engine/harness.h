/* The one harness: every measurement, on every rank in lockstep, each result to the sink. */
#ifndef GX_HARNESS_H
#define GX_HARNESS_H

#include "ceiling.h"
#include "harness_out.h"
#include "job.h"
#include "mplan.h"
#include "rating.h"
#include "sink_ops.h"

/* Pass after pass with --soak; rank 0 keeps the probes' points in *ceilings. */
int gx_harness_run(const struct gx_job *job, const struct gx_options *o,
                   const struct gx_mplan *plan, const struct gx_sink_door *sink,
                   struct gx_ceilings *ceilings, struct gx_harness_out *ho, struct gx_err *err);

#endif
