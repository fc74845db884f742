/* Calibration: before the runs, once per job, the ceilings that bound their results are
 * measured (the paths' calibrates hooks say which; the runs' sizes, and chunk sizes where a
 * path's ceiling is taken per chunk, say at which sizes) and kept for the job.
 *
 * Method, for every curve and size: one untimed warm-up repeat, then GX_CAL_REPEATS timed
 * ones; the median is the ceiling, min and max its spread. A repeat moves about
 * GX_CAL_TARGET_BYTES (large sizes) or many back-to-back copies/messages (small sizes).
 * Calibration tasks run one after another, never beside each other, so that no two share a
 * link while measured. */
#ifndef GX_CALIBRATE_H
#define GX_CALIBRATE_H

#include "ceiling.h"
#include "job.h"
#include "mplan.h"
#include "sink.h"

#define GX_CAL_REPEATS 7
#define GX_CAL_TARGET_BYTES (256 * GX_MIB)

/* Collective. Measures what the plan's steps of runs with --calibrate on will be rated against.
 * Rank 0 gets every ceiling in *out (NULL on other ranks, and when no run asked for
 * calibration) and hands them to the sink (report and table). A ceiling that cannot be measured (no GPU, no CUDA in the
 * build, not on one node, out of memory, a CUDA error) is recorded absent with the reason;
 * only MPI failures and running out of host memory for the bookkeeping are errors. */
int gx_calibrate(const struct gx_job *job, const struct gx_options *o,
                 const struct gx_mplan *mp, struct gx_sink *sink, struct gx_ceilings **out,
                 struct gx_err *err);

/* gx_recheck_fn (rating.h): the point (kind, a, b, size) of an MPI curve between the pair's
 * hosts (pageable, pinned or managed buffers: bandwidth one way, both ways, latency) measured again,
 * probed, warmed up and GX_CAL_RECHECK_REPEATS repeats, in at most a few seconds; other kinds
 * come back without repeats, on both ranks alike. */
#define GX_CAL_RECHECK_REPEATS 3
int gx_cal_recheck(const struct gx_job *job, int kind, int a, int b, size_t size,
                   struct gx_ceil_point *again, struct gx_err *err);

/* ---- between calibrate.c and its measurements (calibrate_mpi.c, calibrate_cuda.c) */

/* MPI between a and b (both ranks take part; a keeps the curves), in the order of its entry
 * in gx_cal_tasks (calib_plan.c): on pinned host buffers, bandwidth one way and both ways and
 * latency (c[0..2]); on managed buffers whose pages are on the host, bandwidth one way and
 * both ways: resident there and touched by the CPU (c[3..4]), and just moved there by the
 * driver before each window, as unified-prefetch hands them to MPI (c[5..6]). */
int gx_cal_mpi_pair(const struct gx_job *job, int a, int b, struct gx_ceil_curve c[10],
                    struct gx_err *err);

/* The bytes of host memory one buffer may take here: a quarter of the node's memory shared
 * by the ranks on it (a larger size is absent, never an allocation that brings the node down). */
size_t gx_cal_host_limit(const struct gx_job *job);
/* How many copies of `size` bytes one repeat moves back to back: about GX_CAL_TARGET_BYTES,
 * at most GX_CAL_MAX_COPIES (far inside what a stream queues without blocking the host). */
#define GX_CAL_MAX_COPIES 256
int gx_cal_copies_for(size_t size);
/* Median, min, max of `n` repeats into p (n >= 1; sorts v). */
void gx_cal_point_set(struct gx_ceil_point *p, double *v, int n);
/* Marks every point from index `from` on absent, when it has no reason yet. */
void gx_cal_absent_from(struct gx_ceil_curve *c, int from, const char *why);

/* This rank's GPU's PCI bus id ("" without one). */
void gx_cal_gpu_busid(const struct gx_job *job, char *buf, size_t len);
/* The per-GPU measurements of this rank's GPU (calib_plan.c's gx_cal_tasks): every point
 * of each curve (sizes set, n >= 0) is measured or absent with the reason. None fails: a CUDA
 * error makes the curve absent. */
/* c[0] H2D, c[1] D2H, c[2] both at once on two streams (total): copy engines, cudaMemcpyAsync
 * with pinned host memory. */
void gx_cal_copies(const struct gx_job *job, struct gx_ceil_curve c[3]);
/* c[0] write, c[1] read, c[2] both at once on two streams (total): gx_kernel_copy between
 * device and mapped pinned host memory. */
void gx_cal_mapped(const struct gx_job *job, struct gx_ceil_curve c[3]);
/* c[0] prefetch to the host, c[1] prefetch to the GPU, c[2] a kernel faulting host-resident
 * pages in: managed memory (calibrate_managed.c). */
void gx_cal_managed(const struct gx_job *job, struct gx_ceil_curve c[3]);
/* Puts `n` bytes of a managed buffer in the state unified-prefetch hands them to MPI: their
 * pages go to this rank's GPU (as if a kernel had just produced them there), then back to the
 * host by a prefetch (sent = 1: the sender's pages, contents kept) or discarded to the host
 * (sent = 0: the receiver's, about to be overwritten). Synchronous, for untimed set-up;
 * *no_discard as gx_cuda_discard_to_host's. Without CUDA: GX_ESKIP. */
int gx_cal_managed_as_moved(void *buf, size_t n, int gpu, int sent, int *no_discard,
                            struct gx_err *err);
/* cudaMemcpyPeerAsync from this rank's GPU to the GPU with bus id peer_busid (rank `peer`'s),
 * one way (uni) and both ways at once on two streams (bi), in this process. */
void gx_cal_peer(const struct gx_job *job, int peer, const char *peer_busid,
                 struct gx_ceil_curve *uni, struct gx_ceil_curve *bi);

#endif
