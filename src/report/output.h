/* What people read: the table on stdout (on stderr with --format csv, whose lines csv.c writes
 * to stdout) and the progress line on stderr (rank 0 only). */
#ifndef GX_OUTPUT_H
#define GX_OUTPUT_H

#include "ceiling.h"
#include "job.h"
#include "mplan.h"
#include "options.h"
#include "result.h"
#include "wrap.h"

#include <stddef.h>
#include <stdio.h>

/* Lines said once: the keys said so far (a list: a run says few distinct skips). */
struct gx_said {
    char **keys;
    size_t n, cap;
};
/* Whether key was said before; if not, it is remembered (a copy) and 0 returned. Where no
 * memory is left to remember it, 0 as well: a line said twice rather than one lost. */
int gx_said_before(struct gx_said *said, const char *key);
int gx_said_has(const struct gx_said *said, const char *key);
void gx_said_free(struct gx_said *said);

enum gx_progress_to { GX_PROGRESS_NONE, GX_PROGRESS_STDERR, GX_PROGRESS_STDOUT, GX_PROGRESS_LOG };
/* Where rank 0's progress goes: a terminal (stderr first, else stdout; under mpirun, stdout
 * only when mpirun's own stdout is a terminal), or with --progress a log (stderr, a line now
 * and then); nowhere with --quiet or when nobody watches. */
enum gx_progress_to gx_progress_decide(int quiet, int asked, int stderr_tty, int stdout_tty);

/* Where the table and every other line for people go (the topology header, the ceilings,
 * matrices, the transfer plan, the closing "# report:" line): stdout, or stderr when stdout
 * holds the CSV. */
FILE *gx_table_stream(const struct gx_global_opts *g);

struct gx_output {
    int active;           /* rank 0 */
    int wide;             /* --wide: every column, past GX_TABLE_COLUMNS */
    FILE *table;          /* gx_table_stream */
    FILE *progress;       /* where the progress line goes, NULL for none */
    int progress_tty;     /* redrawn in place (a terminal), else lines in a log */
    int drawn;            /* a progress line is on the terminal now */
    long done, total;
    double t0, last_draw;
    char key[256];        /* the block the last table line belonged to */
    int line_col;         /* the block has a line% column: its first result has a line rate */
    int said_mbs;         /* the legend of a value in MB/s (an M after it) is printed */
    long rotation;        /* --soak: from the second pass on, only failures are printed */
    int device_via_mpi;   /* a result printed handed device buffers to MPI: say what carried them */
    /* The line's: the step's name, what precision its median has reached so far (<0: not yet
     * asked) and the budget's seconds left as the engine last said (<0: no budget). */
    char step[160];
    double precision;
    double budget_left;
    struct gx_said skips;  /* the skip lines said, each (what, reason) once */
    /* Where no rank of the job has a GPU: the ranks' reasons, said once at the top
     * (gx_output_no_gpu) and not again at each path or ceiling they leave out. */
    struct gx_said no_gpu;
    /* Runs that measure every ordered pair (--pairs all, all-concurrent): their pair matrices
     * hold each pair's median, so the table names each block once (folded) and prints only the
     * rows that failed; every row stays in the report and the CSV. */
    const struct gx_options *opts;
    struct gx_said folded;
    int fold_said;   /* where their rows are: said once */
    int fold_failed; /* a result of such a run failed: said once */
};

/* The progress line counts the plan's steps, one pass at a time. */
void gx_output_init(struct gx_output *out, const struct gx_job *job, const struct gx_options *o,
                    const struct gx_mplan *plan);
void gx_output_result(struct gx_output *out, const struct gx_result *res);
/* Whether r's run measures every ordered pair (--pairs all, all-concurrent): a rank x rank
 * matrix holds its medians, so the table folds its rows and its rounds' sums. */
int gx_output_folds(const struct gx_output *out, const struct gx_result *r);
/* Seconds between two progress lines into a log (--progress without a terminal). */
#define GX_PROGRESS_LOG_S 10
/* The table's header for a block of results and a result's line (result_table.c): --wide's
 * columns, or the narrow ones, with line% in a block whose links have a known rate. The line's
 * return: 1 where a value of it is in MB/s (gx_format_gbs), for the legend said once. */
void gx_result_table_head(FILE *t, int wide, int line);
int gx_result_table_row(FILE *t, int wide, int line, const struct gx_result *r);
/* "# path WHAT skipped: reason"; what: the path, and what tells it apart (sink.c). A path is
 * skipped once per group of sizes it would have measured: the line is said once per (what,
 * reason), and not at all for a reason gx_output_no_gpu said. */
void gx_output_skip(struct gx_output *out, const char *what, const char *reason);
/* No rank of the job has a GPU, each for one of the reasons in why (distinct), which the output
 * takes over: one line says so, before the first result (rank 0). */
void gx_output_no_gpu(struct gx_output *out, struct gx_said *why);
/* One measurement starts (call on every rank; draws on rank 0 at most every 0.2 s): its visit
 * of visits (0: it has one), the budget's seconds left, negative without one. */
void gx_output_progress(struct gx_output *out, size_t size, const char *path,
                        const char *pattern, int visit, int visits, double budget_left);
/* The step under way has its median to +-precision (a fraction) so far: redrawn (rank 0). */
void gx_output_precision(struct gx_output *out, double precision, double budget_left);
/* n steps will not run (their path was skipped): counted as done. */
void gx_output_advance(struct gx_output *out, long n);
/* A pass over the runs starts (--soak: 1, 2, ...; a plain run has pass 1 only). */
void gx_output_rotation(struct gx_output *out, long rotation);
void gx_output_done(struct gx_output *out);
/* Frees what the output remembers of the lines said. */
void gx_output_free(struct gx_output *out);
/* Whether everything written to f (stdout: the table, the CSV, --help...) reached it: a full
 * disk, /dev/full, a closed pipe (SIGPIPE is ignored) or a closed descriptor is GX_ERUNTIME,
 * "cannot write WHAT to stdout: why". */
int gx_stream_check(FILE *f, const char *what, struct gx_err *err);
/* The table's header: the ranks' places and links, the pairs' links and routes, the warnings
 * (context_print.c). */
struct gx_context;
void gx_context_print_header(FILE *out, const struct gx_context *c);
/* Rank 0: one "# " line per measured ceiling (its range over the sizes, or why it is
 * absent); the report has every point. */
void gx_output_ceilings(struct gx_output *out, const struct gx_ceilings *c);

#endif
