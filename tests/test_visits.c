/* A step's visits joined in-process (gx_visits_join, gx_visits_step): the statistics of every
 * visit's samples together, each visit's median, the times and waits added up, the worst state,
 * the first visit's chunk choice and candidates for the later ones; the drift mark. */
#include "config.h"
#include "visits.h"
#include "noise.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A visit of n samples of value v each (and one of v + 1 at the end) into b and rec. */
static void visit(struct gx_bench *b, struct gx_record *rec, size_t n, double v)
{
    for (size_t i = 0; i < n; i++)
        b->samples[i] = i + 1 < n ? v : v + 1;
    memcpy(b->sorted, b->samples, n * sizeof *b->sorted);
    *rec = (struct gx_record){.state = GX_STATE_OK, .valid = 1, .validated = 1, .bad_offset = -1,
                              .elapsed_s = 1, .share_s = 2, .cpu_wait_s = 0.1,
                              .cpu_window_s = 1, .cpu_waits = 3};
    gx_stats_compute(b->sorted, n, &rec->stats);
}

int main(void)
{
    struct gx_visits v;
    struct gx_err err = {0};
    struct gx_bench b = {0};
    b.nsamples_cap = 64;
    b.samples = calloc(b.nsamples_cap, sizeof *b.samples);
    b.sorted = calloc(b.nsamples_cap, sizeof *b.sorted);
    ok(b.samples && b.sorted && gx_visits_init(&v, 4, &err) == GX_OK, "a plan of 4 steps");

    /* Visit 1 of step 2 chose 1M chunks at depth 4 among 3 candidates. */
    struct gx_mstep s = {.size = 16u << 20, .ncand = 3, .iters = 50, .min_iters = 5};
    struct gx_record rec;
    visit(&b, &rec, 20, 10);
    rec.chunk = 1 << 20;
    rec.depth = 4;
    rec.ncand = 3;
    b.cand[1].chunk = 1 << 20;
    int rc = gx_visits_join(&v, 2, &b, &rec, &err);
    struct gx_mstep again = gx_visits_step(&v, 2, &s);
    ok(rc == GX_OK && rec.visits == 1 && rec.stats.n == 20 && again.ncand == 1 &&
           again.chunk == 1u << 20 && again.depth == 4,
       "after the first visit: its own statistics, and the later visits measure its choice "
       "(1M/4, no search)");

    memset(b.cand, 0, sizeof b.cand); /* a later visit searches nothing */
    visit(&b, &rec, 30, 20);
    rc = gx_visits_join(&v, 2, &b, &rec, &err);
    visit(&b, &rec, 10, 30);
    rec.state = GX_STATE_OK;
    rec.signal = 15;
    rc = rc == GX_OK ? gx_visits_join(&v, 2, &b, &rec, &err) : rc;
    ok(rc == GX_OK && rec.visits == 3 && rec.stats.n == 60 && rec.stats.median == 20 &&
           rec.visit_median[0] == 10 && rec.visit_median[1] == 20 && rec.visit_median[2] == 30,
       "three visits: the median of all 60 samples (%g), each visit's (%g, %g, %g)",
       rec.stats.median, rec.visit_median[0], rec.visit_median[1], rec.visit_median[2]);
    ok(fabs(rec.elapsed_s - 3) < 1e-12 && fabs(rec.share_s - 6) < 1e-12 &&
           fabs(rec.cpu_wait_s - 0.3) < 1e-12 && rec.cpu_waits == 9 && rec.validated == 3 &&
           rec.signal == 15,
       "times, waits and checks added up; the last visit's stop signal kept");
    ok(rec.chunk == 1 << 20 && rec.depth == 4 && rec.ncand == 3 && b.cand[1].chunk == 1 << 20 &&
           b.samples[0] == 10 && b.samples[20] == 20 && b.samples[59] == 31,
       "the first visit's choice and candidates, and every sample in visit order for --samples");

    /* A visit that failed makes the result failed, whatever the others measured. */
    visit(&b, &rec, 8, 5);
    (void)gx_visits_join(&v, 3, &b, &rec, &err);
    visit(&b, &rec, 8, 5);
    rec.state = GX_STATE_FAILED;
    snprintf(rec.reason, sizeof rec.reason, "out of memory");
    rc = gx_visits_join(&v, 3, &b, &rec, &err);
    visit(&b, &rec, 8, 5);
    rc = rc == GX_OK ? gx_visits_join(&v, 3, &b, &rec, &err) : rc;
    ok(rc == GX_OK && rec.state == GX_STATE_FAILED && !strcmp(rec.reason, "out of memory") &&
           rec.visit_median[1] == 0 && rec.stats.n == 16,
       "a failed visit: the result failed with its reason, no median for that visit");

    /* Drift: visits whose intervals do not meet and differ by more than 5% are marked. */
    struct gx_noise n = {0};
    double m[3] = {10, 10.2, 12}, lo[3] = {9.9, 10.1, 11.9}, hi[3] = {10.1, 10.3, 12.1};
    gx_noise_visits(&n, m, lo, hi, 3);
    ok((n.marks & GX_NOISE_DRIFT) && fabs(n.drift - 0.2) < 1e-6, "20%% apart, intervals apart: "
       "drift (%.3f)", n.drift);
    struct gx_noise close = {0};
    double m2[2] = {10, 10.3}, lo2[2] = {9.9, 10.2}, hi2[2] = {10.1, 10.4};
    gx_noise_visits(&close, m2, lo2, hi2, 2);
    struct gx_noise wide = {0};
    double lo3[3] = {8, 8, 8}, hi3[3] = {13, 13, 13};
    gx_noise_visits(&wide, m, lo3, hi3, 3);
    ok(!(close.marks & GX_NOISE_DRIFT) && close.drift > 0 && !(wide.marks & GX_NOISE_DRIFT),
       "3%% apart (under 5%%), or 20%% apart within each other's intervals: no mark");
    gx_visits_reset(&v);
    visit(&b, &rec, 5, 1);
    rc = gx_visits_join(&v, 2, &b, &rec, &err);
    ok(rc == GX_OK && rec.visits == 1 && rec.stats.n == 5, "a new --soak pass starts afresh");
    gx_visits_free(&v);
    free(b.samples);
    free(b.sorted);
    return tap_done();
}
