#ifndef GX_GPU_H
#define GX_GPU_H

#include "gpu_state.h"
#include "job.h"

/* Before MPI_Init: the CUDA context on this rank's default GPU, as osu makes it (Open MPI 5 sets
 * up its CUDA support only with a context current), unless the choice could differ. */
void gx_gpu_early_context(int argc, char **argv, const char *no_gpu);
const char *gx_gpu_early_why(void);
/* Whether this rank sees a GPU before one is chosen, and why not (--check's verdict names it). */
int gx_gpu_visible(const struct gx_global_opts *g, int dry_run);
const char *gx_gpu_none_why(const struct gx_global_opts *g);
/* Whether CUDA's start here is one call that fails at once (no driver, or no CUDA in the build):
 * --dry-run's estimate then counts no start. */
int gx_gpu_start_fails(const struct gx_global_opts *g);
/* Whether MPI moves device buffers (the library's rule, or --assume-cuda-aware) and why. */
int gx_cuda_aware(const struct gx_global_opts *g, const char **why);
int gx_gpu_init(struct gx_job *job, const struct gx_global_opts *g, struct gx_err *err);
void gx_gpu_fini(struct gx_job *job);

#endif
