/* The harness in-process on fake transfers (engine_fake.h): the stop rule as the harness applies
 * it (a steady step ends on its precision, a noisy one at its share or its most), the floor of
 * GX_MIN_ITERS iterations whatever the budget, the mark "few" of a result on fewer, and the
 * samples of the fake iterations collected into the result's statistics. */
#include "config.h"
#include "engine_fake.h"
#include "tap.h"

#include <string.h>

static struct fake_plan fp;
static struct fake_record rec;

/* A noisy step far slower than its estimate: its share is spent within its warm-up. */
static double slow_noisy(const struct fake_at *at)
{
    return at->iter % 2 ? 0.6 : 0.2;
}

static void stop_rules(void)
{
    struct gx_err err = {0};
    fake_plan_init(&fp, 0, 1);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 1000, 1e-3);
    int rc = fake_run(&fp, fake_steady, &rec, &err);
    const struct fake_result *r = &rec.res[0];
    ok(rc == GX_OK && rec.nres == 1 && r->state == GX_STATE_OK &&
           r->ended == GX_ENDED_PRECISION && r->iters == GX_MIN_ITERS && rec.precisions >= 1,
       "steady, no budget: ends on its precision after its fewest, %d of its most 1000 (%ld, "
       "ended %d) %s", GX_MIN_ITERS, r->iters, r->ended, err.msg);

    fake_plan_init(&fp, 0, 1);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 40, 1e-3);
    rc = fake_run(&fp, fake_noisy, &rec, &err);
    ok(rc == GX_OK && r->ended == GX_ENDED_ITERATIONS && r->iters == 40,
       "noisy, no budget: never its precision, runs to its most 40 (%ld, ended %d)", r->iters,
       r->ended);

    fake_plan_init(&fp, 2, 1);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 1000, 1e-3);
    rc = fake_run(&fp, fake_noisy, &rec, &err);
    ok(rc == GX_OK && r->ended == GX_ENDED_TIME && r->share_s > 0 &&
           r->elapsed_s >= r->share_s && r->iters >= GX_MIN_ITERS && r->iters < 1000,
       "noisy under --budget 2: ends on time once its share is spent (%ld iterations, %.3f s "
       "of a %.3f s share)", r->iters, r->elapsed_s, r->share_s);

    rc = fake_run(&fp, fake_steady, &rec, &err);
    ok(rc == GX_OK && r->ended == GX_ENDED_PRECISION && r->iters == GX_MIN_ITERS &&
           r->elapsed_s < r->share_s,
       "steady under the same budget: its precision ends it before its share (%.3f of %.3f s)",
       r->elapsed_s, r->share_s);
}

static void floor_and_few(void)
{
    struct gx_err err = {0};
    /* Each step's share is spent before its first timed iteration. */
    fake_plan_init(&fp, 1, 1);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 1000, 1e-3);
    fake_step(&fp, 128, 1000, 1e-3);
    int rc = fake_run(&fp, slow_noisy, &rec, &err);
    int held = rc == GX_OK && rec.nres == 2;
    for (int i = 0; held && i < 2; i++) {
        const struct fake_result *r = &rec.res[i];
        held = r->ended == GX_ENDED_TIME && r->iters == GX_MIN_ITERS &&
               r->stats.n == GX_MIN_ITERS && r->elapsed_s > r->share_s &&
               !(r->marks & GX_NOISE_FEW);
    }
    ok(held, "a share spent within the warm-up still gets the floor: %d iterations (%ld, %ld), "
       "ended on time, not marked few", GX_MIN_ITERS, rec.res[0].iters, rec.res[1].iters);

    /* --iters 3 and 5: exactly those, never asked, whatever the budget. */
    fake_plan_init(&fp, 1, 1);
    fake_group(&fp, NULL);
    fake_exact(fake_step(&fp, 64, 1000, 1e-3), 3);
    fake_exact(fake_step(&fp, 128, 1000, 1e-3), 5);
    rc = fake_run(&fp, slow_noisy, &rec, &err);
    const struct fake_result *three = &rec.res[0], *five = &rec.res[1];
    ok(rc == GX_OK && rec.nres == 2 && three->iters == 3 && five->iters == 5 &&
           three->ended == GX_ENDED_ITERATIONS && five->ended == GX_ENDED_ITERATIONS &&
           rec.precisions == 0,
       "exact --iters 3 and 5 under a spent budget: all of them, the rule never asked");
    ok((three->marks & GX_NOISE_FEW) && !(five->marks & GX_NOISE_FEW),
       "a result on 3 iterations is marked few, one on %d is not", GX_NOISE_MIN_SAMPLES);
}

/* Step 64: a warm-up of 0.1 s, then 5, 4, 3, 2, 1 ms; step 128: 1 ms each. */
static double ramp(const struct fake_at *at)
{
    if (at->size != 64)
        return 1e-3;
    return at->iter < 2 ? 0.1 : (double)(7 - at->iter) * 1e-3;
}

static void collection(void)
{
    struct gx_err err = {0};
    fake_plan_init(&fp, 0, 1);
    fp.o.g.samples = 1;
    fake_group(&fp, NULL);
    fake_exact(fake_step(&fp, 64, 1000, 1e-3), 5);
    fake_exact(fake_step(&fp, 128, 1000, 1e-3), 5);
    int rc = fake_run(&fp, ramp, &rec, &err);
    const struct fake_result *r = &rec.res[0];
    double sorted[5] = {1000, 2000, 3000, 4000, 5000}, lo, hi;
    gx_median_ci(sorted, 5, &lo, &hi);
    ok(rc == GX_OK && rec.nres == 2 && r->state == GX_STATE_OK && r->valid &&
           r->stats.n == 5 && near(r->stats.median, 3000) && near(r->stats.min, 1000) &&
           near(r->stats.max, 5000) && near(r->stats.ci_lo, lo) && near(r->stats.ci_hi, hi),
       "the fake's 5 timed iterations are the result's statistics, the warm-up's 0.1 s none of "
       "them: median %g us, range %g-%g, interval %g-%g", r->stats.median, r->stats.min,
       r->stats.max, r->stats.ci_lo, r->stats.ci_hi);
    int in_order = r->nsamples == 5;
    for (size_t i = 0; in_order && i < 5; i++)
        in_order = near(r->samples[i], 5000 - 1000 * (double)i);
    ok(in_order, "--samples: the result's samples in iteration order (%zu)", r->nsamples);
    ok(rec.res[1].size == 128 && rec.res[1].step == 1 && near(rec.res[1].stats.median, 1000) &&
           r->size == 64 && r->step == 0 && rec.steps == 2 && rec.ends == 1 && rec.passes == 1,
       "each step its own result, in the plan's order; one pass, one end");
}

int main(int argc, char **argv)
{
    struct gx_err err = {0};
    int rc = fake_init(&argc, &argv, &err);
    ok(rc == GX_OK, "MPI and the fakes in place %s", err.msg);
    if (rc != GX_OK)
        return tap_done();
    stop_rules();
    floor_and_few();
    collection();
    ok(fake_fini() == GX_OK, "MPI finalized");
    return tap_done();
}
