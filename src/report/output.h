/* What people read: the table on stdout and the progress line on stderr (rank 0 only). */
#ifndef GX_OUTPUT_H
#define GX_OUTPUT_H

#include "ceiling.h"
#include "job.h"
#include "result.h"

struct gx_output {
    int active;           /* rank 0 */
    int progress;         /* stderr is a terminal and not --quiet */
    long done, total;
    double t0, last_draw;
    char key[256];        /* the block the last table line belonged to */
    long rotation;        /* --soak: from the second pass on, only failures are printed */
};

void gx_output_init(struct gx_output *out, const struct gx_job *job, const struct gx_options *o);
void gx_output_result(struct gx_output *out, const struct gx_result *res);
void gx_output_skip(struct gx_output *out, const char *path, const char *reason);
/* One measurement starts (call on every rank; draws on rank 0 at most every 0.2 s). */
void gx_output_progress(struct gx_output *out, size_t size, const char *path,
                        const char *pattern);
/* A pass over the runs starts (--soak: 1, 2, ...; a plain run has pass 1 only). */
void gx_output_rotation(struct gx_output *out, long rotation);
void gx_output_done(struct gx_output *out);
/* Rank 0: one "# " line per calibrated ceiling (its range over the sizes, or why it is
 * absent); the report has every point. */
void gx_output_calibration(FILE *f, const struct gx_ceilings *c);

#endif
