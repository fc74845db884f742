/* The run's own members of the report, which main adds (run_report.c): the context at the
 * start, and at the end the views of the finished run (view.h) and the report written. */
#ifndef GX_RUN_REPORT_H
#define GX_RUN_REPORT_H

#include "report.h"
#include "view.h"

/* Rank 0, once every rank's context is in the report (rc GX_OK; else the report has none):
 * the table's header and the link facts' health findings, into run. */
void gx_run_report_context(struct gx_report *rep, struct gx_run *run, int rc);
/* Rank 0: every view into the report and the table, the report written and the table's closing
 * lines. Returns the exit code (GX_ERUNTIME where the report could not be written). */
int gx_run_report_finish(struct gx_run *run, struct gx_report *rep);
/* The views' states and what no view took, once the report is closed (the watchdog may write
 * it until then). */
void gx_run_free(struct gx_run *run);

#endif
