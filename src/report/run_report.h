/* The run's own members of the report, which main adds (run_report.c): the context gathered
 * from every rank at the start, and at the end what the run came to, before the report is
 * written. */
#ifndef GX_RUN_REPORT_H
#define GX_RUN_REPORT_H

#include "harness_out.h"
#include "job.h"
#include "line_health.h"
#include "mplan.h"
#include "pairs.h"
#include "report.h"
#include "sink.h"
#include "ucx_proto.h"

/* Every rank's context to rank 0, into the report and the table's header; the hardware's health
 * from every rank's link facts (rank 0: *health). Collective. */
int gx_run_report_context(const struct gx_job *job, const struct gx_options *opts,
                          const struct gx_mplan *plan, struct gx_report *rep,
                          struct gx_health_set *health, struct gx_err *err);
/* Rank 0: matrices, transfer plan, status, and the report written; the closing lines of the table.
 * Returns the exit code (GX_ERUNTIME where the report could not be written). */
int gx_run_report_finish(const struct gx_layout *layout, unsigned views,
                         const struct gx_options *opts, const struct gx_ucx_proto *proto,
                         struct gx_report *rep, struct gx_sink *sink,
                         const struct gx_harness_out *ho, double least_s, int exit_code,
                         const struct gx_err *err);

#endif
