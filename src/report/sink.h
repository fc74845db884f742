/* Where results go: the one place that turns what the harness and the ceiling probes measured into
 * the table, the CSV (--format csv), the JSON report and its .jsonl stream, and counts them. Measuring code hands typed
 * results here through the door of sink_ops.h, which main wires, and never prints or writes
 * (rank 0 keeps the report; other ranks' sinks only count progress). */
#ifndef GX_SINK_H
#define GX_SINK_H

#include "csv.h"
#include "kept.h"
#include "mplan.h"
#include "output.h"
#include "report.h"
#include "round_sum.h"
#include "sink_ops.h"
#include "view.h"

struct gx_tally {
    int results;           /* result rows: measured, skipped or failed */
    int ok;                /* measured */
    int skipped, failed;   /* skipped: rows and whole paths */
    int validation_failed; /* some result's data arrived corrupted */
    /* What the machine did to the measured ones (noise.h): disturbed steps, ceilings that were
     * no bound or were beaten, and the longest wait for a CPU (share of a step; <0 unknown). */
    int noisy, few, unsound, exceeded, within; /* noisy: the machine's marks; few: too few
                                                  iterations (GX_NOISE_FEW) */
    int drift;             /* of the noisy: their visits disagree (GX_NOISE_DRIFT) */
    int worst;             /* a few iterations far slower than the median (noise.worst) */
    double cpu_wait_max;
    /* The 1-minute load average when the sink opened and when the run finished (<0 unknown),
     * and the CPUs online then. */
    double load_start, load_end;
    long cpus;
    char first_skip[256];  /* the first skip, "PATH: REASON": a run that measured nothing says it */
};

struct gx_sink {
    struct gx_report *rep; /* rank 0 only */
    /* The runs and the plan being measured: a skip's table line names its run and memory. */
    const struct gx_options *opts;
    const struct gx_mplan *plan;
    struct gx_output out;
    struct gx_csv csv;
    struct gx_tally tally;
    int soak;              /* --soak: results carry their pass */
    long rotation;         /* the pass results belong to (1 first) */
    /* Rank 0: the first pass's results in their order, for the matrices and the transfer plan. */
    struct gx_kept *kept;
    size_t nkept, kept_cap;
    /* Rank 0: the first pass's ceilings once whole (the report's copy: the probes' own change
     * in later passes). */
    const struct gx_ceilings *ceilings;
    /* Rank 0: the round under way, and the first pass's aggregates of rounds of several
     * pairs (the report's "rounds"). */
    struct gx_round_sum round;
    cJSON *rounds;
    int rounds_folded; /* a run of every pair's rounds: summed up at its end, not each */
    struct gx_said csv_skips; /* the CSV's skip lines written: each (run, path, pairs, reason) once */
    /* Rank 0, --visits: the results whose last visit is still to come, the latest of each (step
     * and pair), reported at that visit, or at the end where the run stopped before it. */
    struct gx_held *held;
    size_t nheld, held_cap;
};

/* A result held until its last visit: a copy of what it points to that the engine reuses. */
struct gx_held {
    struct gx_result res;
    char reason[232], ceiling_what[256], via[48];
    struct gx_auto_cand cands[GX_AUTO_MAX_CANDIDATES];
    double *samples;
    int live;
};

/* On rank 0, where the report's context has no rank with a GPU, the table says so at once, one
 * line for the job (gx_output_no_gpu). */
void gx_sink_init(struct gx_sink *s, const struct gx_job *job, const struct gx_options *o,
                  const struct gx_mplan *plan, struct gx_report *rep);
/* The door the harness hands its events through (sink_ops.h), onto s. */
struct gx_sink_door gx_sink_door(struct gx_sink *s);
/* Rank 0, at the end: what the run's views read of the sink into run (view.h), the rounds'
 * aggregates handed over. */
void gx_sink_finished(struct gx_sink *s, struct gx_run *run);
/* How much the machine interfered (interference.c): the tally's view. */
extern const struct gx_view_ops gx_view_interference;
/* Frees the kept results. */
void gx_sink_free(struct gx_sink *s);

#endif
