#ifndef GX_GPU_H
#define GX_GPU_H

#include "gpu_state.h"
#include "job.h"

/* Before MPI_Init: makes the CUDA context on the GPU this rank will take by default, as osu does.
 * Open MPI 5 sets up its CUDA support only when a context is current in MPI_Init: without one,
 * device buffers go through the host, far slower. Nothing is done where the choice could differ,
 * nothing is measured, or `no_gpu` says why none is wanted; gx_gpu_early_why says what was done. */
void gx_gpu_early_context(int argc, char **argv, const char *no_gpu);
int gx_gpu_early_device(void); /* -1: none made */
const char *gx_gpu_early_why(void);
/* Whether this rank sees a GPU before one is chosen (for a plan only, --fake-gpus too), and why
 * not in a few words, which --check's verdict names. */
int gx_gpu_visible(const struct gx_global_opts *g, int dry_run);
const char *gx_gpu_none_why(const struct gx_global_opts *g);
/* Chooses and sets the rank's CUDA device (none: GPU paths are skipped with the reason), and
 * finds out whether the MPI library is CUDA-aware. */
int gx_gpu_init(struct gx_job *job, const struct gx_global_opts *g, struct gx_err *err);
void gx_gpu_fini(struct gx_job *job);

#endif
