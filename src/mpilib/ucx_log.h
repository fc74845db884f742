/* UCX's log, captured so that UCX_PROTO_INFO's tables reach the report (ucx_proto.h) instead of
 * the table's stdout: each process's to a file of its own (UCX_LOG_FILE, set before MPI_Init),
 * read back at the end. */
#ifndef GX_UCX_LOG_H
#define GX_UCX_LOG_H

/* First thing in main, every rank: where UCX_PROTO_INFO asks for tables at selection (y) and
 * the user sent UCX's log nowhere, to a file in a directory of this process's own,
 * ${TMPDIR:-/tmp}/gpuxfer-ucx.XXXXXX (mkdtemp; UCX_LOG_FILE; where libucs is already loaded,
 * by starting argv again with it set); where the user set UCX_LOG_FILE (with no substitution
 * but %p and %h), read there and left there. */
void gx_ucx_log_begin(char **argv);
/* After MPI_Init, every rank: UCX has opened our log by then, if it is loaded at all; this
 * process keeps a descriptor of its own and the names go at once, so that none is left
 * behind whatever ends the process, SIGKILL included. */
void gx_ucx_log_opened(void);
/* Ours removed, the log and its directory, where still there: at every end before MPI_Init
 * ends, the watchdog's _exit included. */
void gx_ucx_log_unlink_named(void);
/* At the end, every rank: what this process's UCX wrote (flushed through UCX's own
 * ucs_log_flush, resolved at run time), to free; NULL where nothing was redirected. The file is
 * removed; a second call answers NULL. */
char *gx_ucx_log_end(void);

#endif
