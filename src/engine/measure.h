/* Inside the harness: one measurement of one pair (buffers, validation, timed iterations,
 * --chunk auto), shared by harness.c (runs, rounds), collect.c (results) and measure.c. */
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

/* What each rank contributes to one measurement; gathered to rank 0 (fixed size, so rank 0's
 * memory grows linearly with the number of ranks). */
struct gx_record {
    int32_t state; /* enum gx_state */
    int32_t validated, valid;
    int32_t signal; /* a stop signal (GX_STOP_SIGNALS) seen by this rank: the run stops after this result */
    int32_t gpu_lost; /* a sticky CUDA error on this rank: the run stops after this result */
    int64_t bad_offset, bad_iter;
    struct gx_stats stats;
    char reason[232];
    /* --chunk auto: what this pair tried and what it chose (each pair of a round may choose
     * differently) */
    int64_t chunk;
    int32_t depth, ncand; /* ncand: this rank's candidates, in its bench's cand */
    int32_t gpu_timed; /* the samples are the GPUs' own timings (gx_path_ops.roundtrip) */
    int32_t l2_resident; /* bytes of the GPU's L2 that the window's messages reuse, in one
                            buffer pair on the GPU both ranks share (0: none) */
    int32_t same_gpu;  /* the pair's ranks share this rank's GPU */
    int32_t ended;     /* enum gx_ended: what ended the step (stop.h) */
    int32_t window;    /* the window of the last timed iterations (the stop rule's, stop.h) */
    double stage_us[GX_MAX_STAGES]; /* this rank's time per timed iteration in each stage */
    char via[48]; /* gx_ep.via, "" when the path does not say */
    double share_s; /* the step's share of the budget (0: none) */
    double elapsed_s; /* the step's seconds on this rank: search, validation, warm-up and all */
    double cpu_wait_s; /* runnable but not running (another process had the CPU) over
                          cpu_window_s, the step and the two reads of the wait; negative when
                          the kernel does not say */
    double cpu_window_s;
    long cpu_waits; /* the times this rank was put back on a CPU over cpu_window_s; negative:
                       the kernel does not say */
    /* --visits: the visits measured so far (stats, elapsed_s, share_s and the CPU's waits are
     * theirs together) and each one's median and 95% interval. */
    int32_t visits;
    double visit_median[GX_MAX_VISITS], visit_lo[GX_MAX_VISITS], visit_hi[GX_MAX_VISITS];
};

/* Everything one (run, path, round) needs while its sizes are measured. */
struct gx_bench {
    int nrounds;                 /* rounds of the run's pairs (the round sums say "of N") */
    const struct gx_job *job;
    const struct gx_run_opts *run;
    int path;
    const struct gx_pair *pair; /* NULL: this rank sits the round out */
    int probe;                    /* >= 0: a ceiling probe (gx_probes) measured, not a path */
    struct gx_ceilings *ceilings; /* rank 0: the probes' points; NULL elsewhere */
    struct gx_ep ep;
    double *samples; /* this rank's, in iteration order (--samples reports them so) */
    /* --chunk auto: what this rank's candidates got (its record counts them); apart from the
     * record, which every rank sends rank 0 at every step, so that only the initiators of a
     * step with candidates send them. */
    struct gx_auto_cand cand[GX_AUTO_MAX_CANDIDATES];
    double *sorted;  /* the same, sorted for the statistics */
    size_t nsamples_cap;
    long rotation; /* --soak: which pass over the runs (1 first); skips are recorded once */
    /* The stop rule's (stop.h): when the step started and the seconds it may take (0: no
     * budget); the door to rank 0's sink, whose progress line shows the precision so far
     * (NULL elsewhere), and the pass's budget (harness.c), whose time left the line shows. */
    double step_t0, share_s;
    /* When the step's warm-up began, after its buffers, its path's preparation and its
     * validation: the share is the iterations' (NCCL connects a pair on its first transfer, a
     * few hundred ms that once left a latency step one iteration of its share). */
    double iter_t0;
    const struct gx_sink_door *sink;
    const struct gx_budget *budget;
    /* The window the step's iterations use now: the step's, or fewer round trips where the
     * stop rule found them more than the share affords (stop.h). */
    long window;
    /* The initiator's seconds per round trip when last asked in a window of round trips (0:
     * none yet): the next step's guess before its first iteration. */
    double trip_s;
    /* The last boundary the rule was asked at and when (the initiator's pace between them). */
    long ask_n;
    double ask_t;
    /* The plan's step being measured, and the visits it gets (--visits): its result says so. */
    size_t step;
    int visits_planned;
    int last; /* this visit is the step's last: its result is final */
};



/* Both sides of a pair take the same branch: returns rc, or the peer's failure. */
int gx_pair_agree(struct gx_ep *ep, int rc, struct gx_err *err);
void gx_free_buffers(struct gx_ep *ep);
/* The path closed (where it was opened) and the buffers freed: capacity 0. */
void gx_close_endpoint(struct gx_ep *ep);
/* Grows both buffers to `bytes` and reopens the path over them; agreed within the pair. */
int gx_ensure_capacity(struct gx_ep *ep, size_t bytes, struct gx_err *err);
/* Validates, then times s->iters iterations after s->warmup at s->chunk and s->depth;
 * statistics into rec. */
int gx_measure(struct gx_bench *b, const struct gx_mstep *s, struct gx_record *rec,
               struct gx_err *err);
/* A step with candidates: every candidate briefly, then the best in full (chosen by the
 * initiator); rec says which and what each got. Otherwise gx_measure. */
int gx_measure_best(struct gx_bench *b, const struct gx_mstep *s, struct gx_record *rec,
                    struct gx_err *err);

#endif
