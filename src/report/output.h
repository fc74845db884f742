/* What people read: the table and the progress line (rank 0 only). */
#ifndef GX_OUTPUT_H
#define GX_OUTPUT_H

#include "ceiling.h"
#include "file_util.h"
#include "job.h"
#include "mplan.h"
#include "options.h"
#include "pairs.h"
#include "result.h"
#include "table.h"
#include "wrap.h"

#include <stddef.h>
#include <stdio.h>

/* Items grouped by a key (cmp 0: the same): sorted[] holds the items by key, then as given; at[i]
 * is where item i's group starts in sorted, size[i] how many it has. -1 when out of memory. */
struct gx_groups {
    int *sorted, *at, *size;
};
int gx_groups_make(struct gx_groups *g, const int *items, int m, int n,
                   int (*cmp)(int x, int y, void *ctx), void *ctx);
void gx_groups_free(struct gx_groups *g);

/* Lines said once: the keys said so far (a list: a run says few distinct skips). */
struct gx_said {
    char **keys;
    size_t n, cap;
};
/* Whether key was said before; if not, it is remembered. Out of memory: 0, a line said twice
 * rather than one lost. */
int gx_said_before(struct gx_said *said, const char *key);
void gx_said_free(struct gx_said *said);

enum gx_progress_to { GX_PROGRESS_NONE, GX_PROGRESS_STDERR, GX_PROGRESS_STDOUT, GX_PROGRESS_LOG };
/* Where rank 0's progress goes: a terminal, else a log; nowhere with --quiet. */
enum gx_progress_to gx_progress_decide(int quiet, int stderr_tty, int stdout_tty);

/* Where every line for people goes: stdout, or stderr when stdout holds the CSV. */
FILE *gx_table_stream(const struct gx_global_opts *g);

struct gx_output {
    int active;           /* rank 0 */
    FILE *stream;         /* where the table and the notes go */
    struct gx_table table;
    FILE *progress;       /* NULL for none */
    int progress_tty;     /* redrawn in place, else lines in a log */
    int drawn;            /* a progress line is on the terminal now */
    long done, total;
    double t0, last_draw;
    double log_from;      /* a log's lines from then on (see gx_output_init) */
    long rotation;        /* --soak: from the second pass on, only failures are printed */
    int device_via_mpi;
    char step[160];
    double precision;     /* <0: not yet asked */
    double budget_left;   /* <0: no budget */
    struct gx_said skips;
    struct gx_said no_gpu; /* the ranks' reasons, said once at the top */
};

void gx_output_init(struct gx_output *out, const struct gx_job *job, const struct gx_options *o,
                    const struct gx_mplan *plan);
/* A result's row, kept for the table (a partial one where its step has visits to come). */
void gx_output_result(struct gx_output *out, const struct gx_result *res);
/* The table of the rows kept so far, which it forgets (table.h). */
void gx_output_table(struct gx_output *out);
/* Seconds between two progress lines into a log. */
#define GX_PROGRESS_LOG_S 10
/* A run this long has progress lines in a log without --progress. */
#define GX_PROGRESS_LONG_S 60
/* "# path WHAT skipped: reason", once per (what, reason), not for a reason said at the top. */
void gx_output_skip(struct gx_output *out, const char *what, const char *reason);
/* No rank has a GPU, for the reasons in why, which the output takes over: one line says so. */
void gx_output_no_gpu(struct gx_output *out, struct gx_said *why);
/* One measurement starts (every rank): its visit of visits (0: it has one). */
void gx_output_progress(struct gx_output *out, size_t size, const char *path,
                        const char *pattern, int visit, int visits, double budget_left);
void gx_output_precision(struct gx_output *out, double precision, double budget_left);
void gx_output_rotation(struct gx_output *out, long rotation);
void gx_output_done(struct gx_output *out);
void gx_output_free(struct gx_output *out);
/* Whether everything written to f reached it; else GX_ERUNTIME, "cannot write WHAT to
 * stdout: why". */
int gx_stream_check(FILE *f, const char *what, struct gx_err *err);
/* The table's header (context_print.c), made of how it shows each fact of the context (the
 * facts' table's "shown", by row): a column of the ranks' table (its printf format, its text
 * where a rank lacks the fact, its title, and the function that makes its text where the fact's
 * own is not it), or lines of its own; place orders them (0: not shown). */
struct gx_context;
struct gx_ctx_rank;
struct gx_ctx_shown {
    int place;
    const char *format, *blank, *title;
    void (*column)(const struct gx_context *c, const struct gx_ctx_rank *r, char *buf,
                   size_t len);
    void (*lines)(FILE *out, const struct gx_context *c);
};
extern const struct gx_ctx_shown gx_ctx_shown[];
void gx_context_print_header(FILE *out, const struct gx_context *c);
/* One line per ceiling: its range over the sizes, or why it is absent. */
void gx_output_ceilings(struct gx_output *out, const struct gx_ceilings *c);

/* --format csv: a header line, then one self-contained line per result as it finishes, quoted as
 * RFC 4180 says (docs/report.md, "CSV"). */
struct gx_csv {
    FILE *f;  /* NULL: nowhere */
    int werr; /* errno of the first line that could not be written */
    const struct gx_context *context; /* NULL: hosts unknown */
    char job[2 * GX_ENV_NAME_MAX + 2]; /* SLURM_JOB_ID[.SLURM_STEP_ID]; "" outside Slurm */
};

void gx_csv_init(struct gx_csv *c, FILE *f, const struct gx_context *context);
/* GX_ERUNTIME where this line or an earlier one could not be written. */
int gx_csv_result(struct gx_csv *c, const struct gx_result *res, struct gx_err *err);
/* A skipped line for each of the pairs, or one without a pair. */
void gx_csv_skip(struct gx_csv *c, const char *run, const char *path,
                 const struct gx_pair *pairs, int npairs, const char *reason);

#endif
