/* Inside the calibration: what it measures (which ceilings, at which sizes, between which
 * ranks), derived from the measurement plan and the paths' declared bounds. */
#ifndef GX_CALIB_PLAN_H
#define GX_CALIB_PLAN_H

#include "mplan.h"
#include "output.h"

struct gx_size_set {
    size_t n, cap;
    size_t *v; /* increasing, no duplicates */
};

/* The size sets: one per curve family, since each is measured at the sizes its results need. */
enum { SET_COPY, SET_PEER, SET_PEER_BI, SET_MPI, SET_MPI_BI, SET_LAT, NSETS };

/* The tasks a pair needs. */
#define GX_CAL_COPY 0x1u /* H2D and D2H copies of each rank's GPU */
#define GX_CAL_PEER 0x2u /* peer copies between the GPUs of a same-node pair */
#define GX_CAL_MPI  0x4u /* MPI host to host between the pair (bandwidth and latency) */

struct gx_cal_pair {
    int a, b;
    unsigned need; /* GX_CAL_* */
};

struct gx_cal_plan {
    struct gx_size_set sets[NSETS];
    char *copy_rank;           /* per rank: measure its GPU's copies */
    struct gx_cal_pair *pairs;
    int npairs;
    size_t cap;
    unsigned need;             /* union over the pairs */
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
