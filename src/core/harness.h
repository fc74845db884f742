/* The one harness: runs every measurement the options ask for, on every rank in lockstep, and
 * hands each finished result to rank 0's report and table. */
#ifndef GX_HARNESS_H
#define GX_HARNESS_H

#include "job.h"
#include "report.h"

struct gx_harness_out {
    int validation_failed; /* some result's data arrived corrupted */
    int results, skipped, failed;
    /* Every rank stopped at the same result (signal, sticky CUDA error): MPI can be finalized
     * as in any other run. */
    int stopped_together;
    int gpu_lost_rank;     /* the rank whose sticky CUDA error stopped the run, or -1 */
    /* --soak */
    long rotations;        /* complete passes over the runs */
    double soak_s;         /* seconds from the first measurement to the end of the last pass */
};

/* rep is used on rank 0 only. Returns GX_OK unless the run had to stop (then err says why). */
int gx_harness_run(const struct gx_job *job, const struct gx_options *o, struct gx_report *rep,
                   struct gx_harness_out *out, struct gx_err *err);

/* Size-dependent defaults (documented in --help). */
long gx_default_iters(size_t bytes);
long gx_default_warmup(long iters);
long gx_default_window(size_t bytes);

#endif
