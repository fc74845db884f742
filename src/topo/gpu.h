/* This rank's GPU: chosen, set and described before any transfer. */
#ifndef GX_GPU_H
#define GX_GPU_H

#include "gpu_state.h" /* gx_gpu_absent_why, which gx_gpu_init sets */
#include "job.h"

/* Chooses and sets the rank's CUDA device (none without CUDA or without a GPU: GPU paths are
 * then skipped with the reason), and finds out whether the MPI library is CUDA-aware. */
/* Before MPI_Init: makes the CUDA context on the GPU this rank will take by default
 * (node-local rank from the launcher's environment, modulo the visible GPUs), as osu and
 * NVIDIA's guidance do. Open MPI 5 sets up its CUDA support (smcuda's IPC, ob1's pipelines) only
 * when a context is current in MPI_Init, and keeps it: without one, device buffers go through
 * the host, far slower (docs/mpi-libraries.md). Nothing is done when the choice could differ
 * (--gpu-map, --scenario, --fake-gpus, --topology-xml given), nothing is measured (--help,
 * --version, --dry-run), no local rank is known, or `no_gpu` says why none is wanted (the run's
 * paths need no GPU: CUDA is not even initialised, as in a CPU program);
 * gx_gpu_early_why says what was done, for the report. */
void gx_gpu_early_context(int argc, char **argv, const char *no_gpu);
int gx_gpu_early_device(void); /* -1: none made */
const char *gx_gpu_early_why(void);
/* Whether this rank sees a GPU before one is chosen: CUDA's device count; for a plan only
 * (dry_run), --fake-gpus too (fake GPUs measure nothing). */
int gx_gpu_visible(const struct gx_global_opts *g, int dry_run);
/* Why gx_gpu_visible(g, 0) said no, in a few words (CUDA's error, "no CUDA device", fake GPUs,
 * a build without CUDA): --check's verdict names it. */
const char *gx_gpu_none_why(const struct gx_global_opts *g);
int gx_gpu_init(struct gx_job *job, const struct gx_global_opts *g, struct gx_err *err);
void gx_gpu_fini(struct gx_job *job);

#endif
