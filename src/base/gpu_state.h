/* This rank's GPU as every layer may ask about it, apart from CUDA and from the choice of the
 * GPU, so that layers built with or without CUDA can ask. */
#ifndef GX_GPU_STATE_H
#define GX_GPU_STATE_H

/* Why this rank has no GPU ("" when it has one; "no GPU chosen yet" before the choice). */
const char *gx_gpu_absent_why(void);
void gx_gpu_absent_mark(const char *why);

/* A sticky CUDA error makes every later CUDA call fail, so the run must stop: records the first
 * one's text. gx_gpu_lost_why: "" while the context is usable. */
void gx_gpu_lost_mark(const char *why);
const char *gx_gpu_lost_why(void);

#endif
