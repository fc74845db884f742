/* Inside the harness: one measurement of one pair (buffers, validation, iterations, chunks). */
#ifndef GX_MEASURE_H
#define GX_MEASURE_H

#include "chunk.h"
#include "mplan.h"
#include "options.h"
#include "pairs.h"
#include "path.h"
#include "result.h"
#include "sink_ops.h"

#include <stdint.h>

/* Gathered to rank 0: fixed size, so that its memory grows linearly with the ranks. */
struct gx_record {
    int32_t state; /* enum gx_state */
    int32_t validated, valid;
    int32_t signal;   /* the run stops after this result */
    int32_t gpu_lost; /* a sticky CUDA error: the run stops after this result */
    int64_t bad_offset, bad_iter;
    struct gx_stats stats;
    char reason[232];
    int64_t chunk;        /* chosen by this pair: pairs of a round may differ */
    int32_t depth, ncand; /* ncand: in the bench's cand */
    int32_t gpu_timed;
    int32_t l2_resident;  /* bytes of L2 the window's messages reuse on a shared GPU */
    int32_t same_gpu;
    int32_t ended;        /* enum gx_ended */
    int32_t window;       /* the last timed iterations' */
    double stage_us[GX_MAX_STAGES]; /* per timed iteration */
    char via[48];
    double share_s;       /* 0: no budget */
    double elapsed_s;     /* search, validation, warm-up and all */
    double cpu_wait_s;    /* runnable but not running over cpu_window_s; < 0: unknown */
    double cpu_window_s;
    long cpu_waits;       /* put back on a CPU over cpu_window_s; < 0: unknown */
    /* --visits so far (the totals above are theirs together), each one's median and interval */
    int32_t visits;
    double visit_median[GX_MAX_VISITS];
};

/* Everything one (run, path, round) needs while its sizes are measured. */
struct gx_bench {
    int nrounds;
    const struct gx_job *job;
    const struct gx_run_opts *run;
    int path;
    const struct gx_pair *pair; /* NULL: this rank sits the round out */
    int probe;                    /* >= 0: a ceiling probe, not a path */
    struct gx_ceilings *ceilings; /* rank 0 */
    struct gx_ep ep;
    double *samples; /* in iteration order */
    /* Apart from the record, so that only the initiators of a step with candidates send them. */
    struct gx_auto_cand cand[GX_AUTO_MAX_CANDIDATES];
    double *sorted;
    size_t nsamples_cap;
    double share_s; /* 0: no budget */
    /* The share is the iterations' from here: NCCL connects a pair on its first transfer. */
    double iter_t0;
    const struct gx_sink_door *sink; /* rank 0 */
    const struct gx_budget *budget;
    long window; /* fewer round trips where the share affords no more (stop.h) */
    double trip_s; /* per round trip when last asked: the next step's first guess */
    long ask_n;    /* the boundary last asked at, and when */
    double ask_t;
    size_t step;
    int visits_planned;
    int last; /* this visit's result is final */
};

/* Room for n samples in samples and sorted alike: 0, or -1 out of host memory. */
int gx_bench_samples_room(struct gx_bench *b, size_t n);
/* Every candidate briefly, then the initiator's best in full. */
int gx_measure_best(struct gx_bench *b, const struct gx_mstep *s, struct gx_record *rec,
                    struct gx_err *err);

#endif
