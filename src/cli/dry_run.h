/* --dry-run's look at the job before it prints the plan. */
#ifndef GX_DRY_RUN_H
#define GX_DRY_RUN_H

#include "job.h"
#include "mplan.h"

/* Samples of each exchange (of those both ways beyond the caches fewer, each long; one way's
 * spread decides when large steps settle), and the window's most messages. */
#define GX_PACE_SAMPLES 16
#define GX_PACE_FAR_SAMPLES 6
#define GX_PACE_WINDOW 64
/* A message within the caches and one beyond them: large copies of host memory are slower. */
#define GX_PACE_NEAR (1u << 20)
#define GX_PACE_FAR (64u << 20)
#define GX_PACE_COPIES 4
#define GX_PACE_NEAR_COPIES 64
/* The groups its filters will skip marked with the run's reasons, host memory's pace measured
 * between ranks 0 and 1 for the estimate, the GPU steps' and collectives' pace by a pilot, and
 * each kind of buffer's set-up by rank 0 (neither on --assume-nodes' layout nor with
 * --fake-gpus). Collective. */
int gx_dry_run_view(struct gx_job *job, const struct gx_options *opts, struct gx_mplan *plan,
                    struct gx_err *err);

#endif
