/* This rank's GPU as every layer may ask about it: why there is none, and whether its context is
 * lost. Kept apart from CUDA and from the choice of the GPU (topo's gpu.c, which sets the first),
 * so that the memory kinds below that choice and the harness, built with or without CUDA, can
 * ask. */
#ifndef GX_GPU_STATE_H
#define GX_GPU_STATE_H

/* Why this rank has no GPU ("" when it has one; "no GPU chosen yet" before the choice). */
const char *gx_gpu_absent_why(void);
/* Records why this rank has no GPU ("": it has one). */
void gx_gpu_absent_mark(const char *why);

/* A sticky CUDA error (illegal address, launch failure, ...) makes every later CUDA call fail, so
 * the run must stop rather than go on to the next measurement. Records the first sticky error's
 * text (later ones repeat it). */
void gx_gpu_lost_mark(const char *why);
/* "" while the context is usable, else the first sticky error's text. */
const char *gx_gpu_lost_why(void);

#endif
