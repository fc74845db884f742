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

    /* The platform's variation: two speeds, a center known too loosely, or neither. */
    struct gx_noise two = {0};
    double m[16] = {10, 14.6, 10.1, 14.4, 9.9, 14.5, 10.2, 10, 14.7, 9.8, 10.1, 14.5, 10, 10.1,
                    14.6, 9.9};
    gx_noise_visits(&two, m, 16);
    ok((two.marks & GX_NOISE_DRIFT) && two.mode_visits == 16 && two.mode_hi_visits == 6 &&
           fabs(two.mode_lo - 10.0) < 0.1 && fabs(two.mode_hi - 14.55) < 0.1,
       "16 visits at two speeds: marked, both speeds and the faster's visits said (%.3g x %d, "
       "%.3g)", two.mode_hi, two.mode_hi_visits, two.mode_lo);
    struct gx_noise one = {0};
    double m1[16] = {10, 10.3, 9.8, 10.1, 10.2, 9.9, 10, 10.4, 9.7, 10.1, 10, 9.9, 10.2, 10.1, 9.8,
                     10};
    gx_noise_visits(&one, m1, 16);
    ok(!(one.marks & GX_NOISE_DRIFT) && !one.mode_visits && one.visits_ci > 0 &&
           one.visits_ci < 0.02 && fabs(one.drift - (10.4 / 9.7 - 1)) < 1e-6,
       "16 visits at one speed, 7%% apart at the extremes: no mark, the center known to +-%.2f%%",
       100 * one.visits_ci);
    struct gx_noise loose = {0};
    double m3[3] = {10, 13, 8};
    gx_noise_visits(&loose, m3, 3);
    ok((loose.marks & GX_NOISE_DRIFT) && !loose.mode_visits && loose.visits_ci > 0.05,
       "3 visits 60%% apart: the center known only to +-%.0f%%: marked", 100 * loose.visits_ci);
    struct gx_noise pair = {0};
    double m2[2] = {10, 13};
    gx_noise_visits(&pair, m2, 2);
    ok(!(pair.marks & GX_NOISE_DRIFT) && fabs(pair.drift - 0.3) < 1e-6 && pair.visits_ci == 0,
       "2 visits: their spread said, no interval, no mark");
    ok(!(GX_NOISE_DISTURBED & GX_NOISE_PLATFORM), "the platform's marks are not the table's ~");
    gx_visits_reset(&v);
    visit(&b, &rec, 5, 1);
    rc = gx_visits_join(&v, 2, &b, &rec, &err);
    ok(rc == GX_OK && rec.visits == 1 && rec.stats.n == 5, "a new --soak pass starts afresh");
    gx_visits_free(&v);
    free(b.samples);
    free(b.sorted);
    return tap_done();
}
