/* --format csv: a header line, then one self-contained line per result as it finishes, quoted as
 * RFC 4180 says (docs/report.md, "CSV"). */
#ifndef GX_CSV_H
#define GX_CSV_H

#include "context.h"
#include "file_util.h"
#include "gx.h"
#include "pairs.h"
#include "result.h"

#include <stdio.h>

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
