/* --output: what the named path may be, before anything is measured. */
#ifndef GX_OUT_PATH_H
#define GX_OUT_PATH_H

#include "gx.h"

/* Every file a run writes, before it creates any, shared by a run and --dry-run (nothing
 * created): --output (NULL: none), --table, and no two of them, with the names --output makes,
 * one file, nor one of them a file the run reads. */
struct gx_global_opts;
int gx_outputs_check(const struct gx_global_opts *g, const char *output, int dry_run,
                     struct gx_err *err);

/* The one step in which a run takes its names (rank 0): the .jsonl created and locked, so that
 * a second run with this --output fails at once, even with --force; then, under that lock, the
 * checks again, where the report was (the only file its rename may replace) and stale
 * temporaries removed. *lines_fd is the .jsonl, read-write. */
struct gx_file_id;
int gx_out_claim(const char *path, int force, int *lines_fd, struct gx_file_id *report_was,
                 struct gx_err *err);

/* --table FILE: rank 0's stdout becomes FILE, claimed as the .jsonl is, so that rank 0 itself
 * sees a write that fails. */
int gx_out_stdout_to(const char *path, int force, struct gx_err *err);
/* "stdout", or "--table 'FILE'": its write errors' words. */
const char *gx_out_stdout_name(void);
/* After a write to stdout failed: a file is cut back to its last whole line and stdout goes
 * nowhere, so that no later flush adds half a line again. */
void gx_out_stdout_abandon(void);

/* Where a report goes without --output: a folder of its own, apart from results/. */
#define GX_OUTPUT_DIR "gpuxfer-results"
#define GX_OUTPUT_DEFAULT_SAYS GX_OUTPUT_DIR "/gpuxfer-<UTC time>-[<job id>[.<step id>]-]<pid>.json"
void gx_out_path_default(char *buf, size_t len);

/* ISO 8601 with milliseconds, or compact (20261127T061500Z) for file names. */
void gx_utc_now(char *buf, size_t len, int compact);

#endif
