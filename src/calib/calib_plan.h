/* Inside the calibration: what it measures (which ceilings, at which sizes, between which
 * ranks), derived from the measurement plan and the paths' declared bounds. */
#ifndef GX_CALIB_PLAN_H
#define GX_CALIB_PLAN_H

#include "ceiling.h"
#include "mplan.h"
#include "output.h"

struct gx_size_set {
    size_t n, cap;
    size_t *v; /* increasing, no duplicates */
};

/* The size sets: one per curve family, since each is measured at the sizes its results need. */
enum { SET_COPY, SET_COPY_BI, SET_PEER, SET_PEER_BI, SET_MPI, SET_MPI_BI, SET_LAT, SET_MAPPED,
       SET_MAPPED_BI, SET_MANAGED, SET_MPI_UM, SET_MPI_UM_BI, SET_MPI_MIG,
       SET_MPI_MIG_BI, SET_MPI_PIN, SET_MPI_PIN_BI, SET_LAT_PIN, NSETS };

/* The tasks: per GPU (gpu_need) or per pair (gx_cal_pair.need). */
#define GX_CAL_COPY    0x1u  /* H2D and D2H copies of a rank's GPU, one way and both at once */
#define GX_CAL_PEER    0x2u  /* peer copies between the GPUs of a same-node pair */
#define GX_CAL_MPI     0x4u  /* MPI host to host between the pair (bandwidth and latency;
                                pageable and pinned buffers, and managed ones on the host:
                                resident, and just moved there by the driver) */
#define GX_CAL_MAPPED  0x8u  /* a rank's GPU's kernels writing and reading mapped host memory,
                                apart and at once */
#define GX_CAL_MANAGED 0x10u /* a rank's GPU's managed memory: prefetches both ways, fault-in */

/* A task: the curves it measures, each at its set (one-way and both-ways curves are needed at
 * different sizes), in the order its measurement (calibrate.h) fills them. The one place that
 * says which task measures a kind of ceiling, and at which set. */
#define GX_CAL_MAX_CURVES 10
struct gx_cal_task {
    unsigned task; /* GX_CAL_* */
    int ncurves;
    enum gx_ceil_kind kinds[GX_CAL_MAX_CURVES];
    int sets[GX_CAL_MAX_CURVES];
    const char *what; /* per GPU, for the progress line: "<what> of rank N's GPU" */
};
/* The per-GPU tasks first (GX_CAL_GPU_TASKS of them), then the per-pair ones. */
#define GX_CAL_GPU_TASKS 3
#define GX_CAL_TASKS 5
extern const struct gx_cal_task gx_cal_tasks[GX_CAL_TASKS];
/* The entry of task (GX_CAL_*). */
const struct gx_cal_task *gx_cal_task(unsigned task);
struct gx_cal_plan;
/* Whether task t has any size to measure. */
int gx_cal_task_sized(const struct gx_cal_plan *p, const struct gx_cal_task *t);

struct gx_cal_pair {
    int a, b;
    unsigned need; /* GX_CAL_* */
};

struct gx_cal_plan {
    struct gx_size_set sets[NSETS];
    unsigned *gpu_need;        /* per rank: the per-GPU tasks (GX_CAL_COPY, _MAPPED, _MANAGED)
                                  of its GPU, those a stage of a rule names at that rank */
    struct gx_cal_pair *pairs;
    int npairs;
    size_t cap;
    unsigned need;             /* union over the pairs and the GPUs */
    /* Progress: the task under way of how many (rank 0 draws it). */
    struct gx_output *out;
    int task, ntasks;
};

/* The calibration plan of the runs with --calibrate on. */
int gx_cal_plan_make(const struct gx_job *job, const struct gx_options *o,
                     const struct gx_mplan *mp, struct gx_cal_plan *p, struct gx_err *err);
void gx_cal_plan_free(struct gx_cal_plan *p);
/* How many tasks the plan holds, for the progress line. */
int gx_cal_plan_tasks(const struct gx_job *job, const struct gx_cal_plan *p);

#endif
