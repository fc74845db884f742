/* Whether this rank's GPU context is lost: a sticky CUDA error (illegal address, launch failure,
 * ...) makes every later CUDA call fail, so the run must stop rather than go on to the next
 * measurement. Kept apart from CUDA so that the harness, built with or without it, can ask. */
#ifndef GX_GPU_LOST_H
#define GX_GPU_LOST_H

/* Records the first sticky error's text (later ones repeat it). */
void gx_gpu_lost_mark(const char *why);
/* "" while the context is usable, else the first sticky error's text. */
const char *gx_gpu_lost_why(void);

#endif
