/* UCX's log, captured so that UCX_PROTO_INFO's tables reach the report (ucx_proto.h) instead of
 * the table's stdout: each process's to a file of its own (UCX_LOG_FILE, set before MPI_Init),
 * read back at the end. */
#ifndef GX_UCX_LOG_H
#define GX_UCX_LOG_H

/* First thing in main, every rank: where UCX_PROTO_INFO asks for tables at selection (y) and
 * the user sent UCX's log nowhere, to an anonymous file of this process's own (memfd_create;
 * UCX_LOG_FILE=/proc/self/fd/N; where libucs is already loaded, by starting argv again with it
 * set): no name anywhere, so nothing is left behind whatever ends the process; where the user
 * set UCX_LOG_FILE (with no substitution but %p and %h), read there and left there. */
void gx_ucx_log_begin(char **argv);
/* At the end, every rank: what this process's UCX wrote (flushed through UCX's own
 * ucs_log_flush, resolved at run time), to free; NULL where nothing was redirected. A second
 * call answers NULL. */
char *gx_ucx_log_end(void);

#endif
