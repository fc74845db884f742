/* UCX's log, captured so that UCX_PROTO_INFO's tables reach the report, not the table's stdout. */
#ifndef GX_UCX_LOG_H
#define GX_UCX_LOG_H

/* First thing in main: where UCX_PROTO_INFO=y and UCX's log goes nowhere, to a memfd of ours. */
void gx_ucx_log_begin(char **argv);
/* At the end, every rank: what this process's UCX wrote, to free; NULL where not redirected. */
char *gx_ucx_log_end(void);

#endif
