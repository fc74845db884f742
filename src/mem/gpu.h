/* This rank's GPU: chosen, set and described before any transfer. */
#ifndef GX_GPU_H
#define GX_GPU_H

#include "job.h"

/* Chooses and sets the rank's CUDA device (none without CUDA or without a GPU: GPU paths are
 * then skipped with the reason), and finds out whether the MPI library is CUDA-aware. */
int gx_gpu_init(struct gx_job *job, const struct gx_global_opts *g, struct gx_err *err);
void gx_gpu_fini(struct gx_job *job);
/* Why this rank has no GPU ("" when it has one). */
const char *gx_gpu_absent_why(void);

#endif
