/* Where results go: the one place that turns what was measured into the table, the CSV, the
 * report and its .jsonl, and counts them. Measuring code hands results here through the door of
 * sink_ops.h and never prints or writes (other ranks' sinks only count progress). */
#ifndef GX_SINK_H
#define GX_SINK_H

#include "kept.h"
#include "mplan.h"
#include "output.h"
#include "report.h"
#include "sink_ops.h"
#include "tally.h"
#include "view.h"

#include <stdio.h>

/* A round of several pairs at once: the sum of their bandwidth and message rate, as osu_mbw_mr
 * reports. Each pair's median is its steady rate while the others run, so the sum is what the
 * fabric carried. */
struct gx_round_sum {
    int round, nrounds;  /* 0 first */
    int npairs, nok;     /* pairs of the round; pairs measured */
    double gbps;
    double msg_rate;
    int bandwidth;       /* the pattern is of the bandwidth family */
    struct gx_result first;
};

struct gx_sink {
    struct gx_report *rep; /* rank 0 only */
    const struct gx_options *opts;
    const struct gx_mplan *plan;
    struct gx_output out;
    struct gx_csv csv;
    struct gx_tally tally;
    int soak;
    long rotation;         /* the pass results belong to (1 first) */
    /* Rank 0, the first pass's: results, ceilings (the report's copy: the probes' own change in
     * later passes) and rounds' aggregates. */
    struct gx_kept *kept;
    size_t nkept, kept_cap;
    const struct gx_ceilings *ceilings;
    struct gx_round_sum round; /* the round under way */
    cJSON *rounds;
    struct gx_said csv_skips;
    /* --visits: the latest result of each step and pair whose last visit is still to come. */
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

void gx_sink_init(struct gx_sink *s, const struct gx_job *job, const struct gx_options *o,
                  const struct gx_mplan *plan, struct gx_report *rep);
struct gx_sink_door gx_sink_door(struct gx_sink *s);
/* Rank 0, at the end: what the views read of the sink into run, the rounds handed over. */
void gx_sink_finished(struct gx_sink *s, struct gx_run *run);
void gx_sink_free(struct gx_sink *s);
/* The watchdog's end on rank 0 (a gx_sink_abort_fn): the table of the rows kept, then the report
 * (gx_report_abort). */
int gx_sink_abort(void *ctx, const struct gx_sink_abort *a);

#endif
