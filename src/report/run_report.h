/* The run's own members of the report, which main adds (run_report.c): the context gathered
 * from every rank at the start, and at the end the views of the finished run (view.h) and the
 * report written. */
#ifndef GX_RUN_REPORT_H
#define GX_RUN_REPORT_H

#include "job.h"
#include "mplan.h"
#include "report.h"
#include "view.h"

/* Every rank's context to rank 0, into the report, the table's header and run (its context and
 * the facts' health findings). Collective. */
int gx_run_report_context(const struct gx_job *job, const struct gx_options *opts,
                          const struct gx_mplan *plan, struct gx_report *rep, struct gx_run *run,
                          struct gx_err *err);
/* Rank 0: every view into the report and the table, the report written and the table's closing
 * lines. Returns the exit code (GX_ERUNTIME where the report could not be written). */
int gx_run_report_finish(struct gx_run *run, struct gx_report *rep);

#endif
