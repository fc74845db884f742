/* --output: what the named path may be, before anything is measured. */
#ifndef GX_OUT_PATH_H
#define GX_OUT_PATH_H

#include "gx.h"

/* Refuses, naming the path as given, what cannot be a report or must not be replaced: a name
 * ending in '/', a directory, a FIFO or any other file that is not regular (even with --force);
 * without --force an existing report, a symbolic link (dangling or not: the link is replaced,
 * never written through) or the results (.jsonl, .samples.jsonl) of an earlier run beside it.
 * Then creates the missing folders and checks that the folder takes a new file; with dry_run
 * (--dry-run, which writes nothing) only checks that the nearest existing folder would. */
int gx_out_path_check(const char *path, int force, int dry_run, struct gx_err *err);
/* The one step in which a run takes its names, rank 0 after gx_out_path_check: the .jsonl
 * created and locked (gx_claim_file) so that a second run with this --output gets a one-line
 * error at once, before anything is measured, even with --force; then, under that lock, the
 * checks above again, where the report was (the only file its final rename may replace) and the
 * temporaries that runs killed while writing left removed. *lines_fd is the .jsonl, read-write. */
struct gx_file_id;
int gx_out_claim(const char *path, int force, int *lines_fd, struct gx_file_id *report_was,
                 struct gx_err *err);

/* Every file a run writes, before it creates any, by the one function that a run and a
 * --dry-run (dry_run 1: nothing created) share: --output (the given or default name, or NULL:
 * none to check) as gx_out_path_check, --table (a new file, or --force; a character device such
 * as /dev/null is written to as it is; a FIFO, a directory or another special file is refused),
 * and no two of them, with the names --output makes (.jsonl, .samples.jsonl), one file, nor one
 * of them the --scenario or --topology-xml file. */
struct gx_global_opts;
int gx_outputs_check(const struct gx_global_opts *g, const char *output, int dry_run,
                     struct gx_err *err);

/* --table FILE: rank 0's stdout becomes FILE, claimed as the .jsonl is (gx_claim_file: a new
 * file, or --force, never another live run's), so that rank 0 itself sees a write that fails
 * and main's check of stdout makes it exit 3. */
int gx_out_stdout_to(const char *path, int force, struct gx_err *err);
/* "stdout", or "--table 'FILE'" once gx_out_stdout_to put the file there: its write errors'
 * words. */
const char *gx_out_stdout_name(void);
/* After a write to stdout failed (a full disk under --table FILE): what stdio still holds is
 * dropped and the file cut back to its last whole line (gx_cut_partial_line), and stdout then
 * goes nowhere, so that no later flush (at exit) adds half a line again. A terminal or a pipe is
 * left as it is. */
void gx_out_stdout_abandon(void);

/* Where a report goes without --output: a folder of its own in the current one, which the
 * source tree's .gitignore names (a run there never mixes with the reference runs in results/). */
#define GX_OUTPUT_DIR "gpuxfer-results"
#define GX_OUTPUT_DEFAULT_SAYS GX_OUTPUT_DIR "/gpuxfer-<UTC time>-[<job id>[.<step id>]-]<pid>.json"
/* That name for this run: SLURM_JOB_ID and SLURM_STEP_ID through gx_env_name, and the process
 * id. */
void gx_out_path_default(char *buf, size_t len);

/* Now in UTC: ISO 8601 with milliseconds, or compact (20261127T061500Z) for file names. */
void gx_utc_now(char *buf, size_t len, int compact);

#endif
