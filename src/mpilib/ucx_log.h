/* UCX's log, captured so that UCX_PROTO_INFO's tables reach the report, not the table's stdout. */
#ifndef GX_UCX_LOG_H
#define GX_UCX_LOG_H

/* First thing in main, every rank: where UCX_PROTO_INFO=y and the user sent UCX's log nowhere,
 * to an anonymous file of this process's own (memfd), so nothing is left behind. */
void gx_ucx_log_begin(char **argv);
/* At the end, every rank: what this process's UCX wrote, to free; NULL where not redirected. */
char *gx_ucx_log_end(void);

#endif
