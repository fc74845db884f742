/* A step's records to rank 0 and its results to the sink (collect.c): the harness's, after each
 * step. */
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
    /* rank 0: the result going to the sink and its ceiling's name; one at a time, so that a
     * round of thousands of pairs never holds them all (the sink copies what it keeps of it) */
    struct gx_result res;
    char ceiling_what[256];
    int *ranks;                /* the watchdog's: two per pair of the largest round */
    /* rank 0, a step with candidates: the initiators' candidates, and where each rank's
     * begin (cand_at[r], cand_n[r]); made for the step and freed after it */
    struct gx_auto_cand *cands;
    int *cand_at, *cand_n;
};

/* Every rank's record to rank 0, which reports one result per pair of the round (or keeps a
 * ceiling probe's points). Collective. */
int gx_collect_step(struct gx_bench *b, const struct gx_mstep *ax, const struct gx_mgroup *g,
                    const struct gx_round *round, struct gx_record *mine, struct gx_collect *c,
                    const struct gx_sink_door *sink, struct gx_err *err);
/* Where a rank got a stop signal or lost its GPU context, every rank stops here: GX_EINTERRUPTED
 * or GX_ERUNTIME, with ho saying which rank and why. Collective. */
int gx_stop_if_signalled(const struct gx_job *job, const struct gx_collect *c,
                         struct gx_harness_out *ho, struct gx_err *err);

#endif
