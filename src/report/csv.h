/* --format csv: rank 0 writes to stdout a header line, then one line per result as it
 * finishes, each naming its path, memory kinds, pattern and pair, so that a parser needs no
 * block headers (docs/report.md, "CSV"). Fields are quoted as RFC 4180 says (a field holding a
 * comma, a quote, CR or LF is in quotes, its quotes doubled); lines end in LF; bytes that are
 * not valid UTF-8 are replaced as in the report (json_repair.h). */
#ifndef GX_CSV_H
#define GX_CSV_H

#include "context.h"
#include "file_util.h"
#include "gx.h"
#include "pairs.h"
#include "result.h"

#include <stdio.h>

struct gx_csv {
    FILE *f;  /* where the lines go; NULL: nowhere (not --format csv, or not rank 0) */
    int werr; /* errno of the first line that could not be written; 0 while none */
    const struct gx_context *context; /* the ranks' hosts (NULL: unknown) */
    char job[2 * GX_ENV_NAME_MAX + 2]; /* SLURM_JOB_ID[.SLURM_STEP_ID]; "" outside Slurm */
};

/* The header's column names, in order; NULL-terminated. */
extern const char *const gx_csv_columns[];

/* Writes the header to f, unless f is NULL; context (rank 0's, gathered) names the hosts. */
void gx_csv_init(struct gx_csv *c, FILE *f, const struct gx_context *context);
/* One result's line. A line that could not be written, this one or an earlier one (a skipped
 * path's), is GX_ERUNTIME. */
int gx_csv_result(struct gx_csv *c, const struct gx_result *res, struct gx_err *err);
/* A path that could not run: a line with status skipped and the reason for each of the pairs,
 * or one without a pair when npairs is 0. */
void gx_csv_skip(struct gx_csv *c, const char *run, const char *path,
                 const struct gx_pair *pairs, int npairs, const char *reason);

#endif
