/* This rank's GPU as every layer may ask about it, built with or without CUDA. */
#ifndef GX_GPU_STATE_H
#define GX_GPU_STATE_H

/* Why this rank has no GPU ("" when it has one; "no GPU chosen yet" before the choice). */
const char *gx_gpu_absent_why(void);
void gx_gpu_absent_mark(const char *why);

/* A sticky CUDA error makes every later CUDA call fail, so the run must stop: the first one. */
void gx_gpu_lost_mark(const char *why);
const char *gx_gpu_lost_why(void);

#endif
