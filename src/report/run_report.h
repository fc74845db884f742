/* The run's own members of the report: the context at the start, the views at the end. */
#ifndef GX_RUN_REPORT_H
#define GX_RUN_REPORT_H

#include "report.h"
#include "view.h"

/* Rank 0, once the context is in the report (rc GX_OK): the table's header and the link facts'
 * findings. */
void gx_run_report_context(struct gx_report *rep, struct gx_run *run, int rc);
/* Rank 0: every view, the report written and the table's closing lines; the exit code. */
int gx_run_report_finish(struct gx_run *run, struct gx_report *rep);
/* Once the report is closed: the watchdog may write it until then. */
void gx_run_free(struct gx_run *run);

#endif
