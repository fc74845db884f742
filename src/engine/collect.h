/* A step's records to rank 0 and its results to the sink. */
#ifndef GX_COLLECT_H
#define GX_COLLECT_H

#include "harness_out.h"
#include "measure.h"
#include "mplan.h"
#include "sink_ops.h"

struct gx_collect {
    struct gx_record *recs;    /* rank 0: one per rank */
    double *samples;           /* rank 0 with --samples: one iteration set per rank */
    int *counts, *displs;
    /* rank 0, one at a time: a round of thousands of pairs never holds them all */
    struct gx_result res;
    char ceiling_what[256];
    int *ranks;                /* a group's members (room for two per pair of any round) */
    /* rank 0, a step with candidates: made for the step, freed after it */
    struct gx_auto_cand *cands;
    int *cand_at, *cand_n;
};

/* Collective. */
int gx_collect_step(struct gx_bench *b, const struct gx_mstep *ax, const struct gx_mgroup *g,
                    const struct gx_round *round, struct gx_record *mine, struct gx_collect *c,
                    const struct gx_sink_door *sink, struct gx_err *err);
/* Where a rank got a stop signal or lost its GPU, every rank stops here. Collective. */
int gx_stop_if_signalled(const struct gx_job *job, const struct gx_collect *c,
                         struct gx_harness_out *ho, struct gx_err *err);

#endif
