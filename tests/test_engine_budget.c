/* The harness in-process on fake transfers (engine_fake.h): the budget as the harness allocates
 * it (every step its least first; a skipped group's time, and what a step leaves, handed to the
 * steps that run), a step's visits joined or cut, and the watchdog's limit of each step (its
 * --timeout or the default that grows with its work, passed on the fake clock). */
#include "config.h"
#include "engine_fake.h"
#include "mem.h"
#include "tap.h"
#include "watchdog.h"
#include "watchdog_state.h" /* RANK0_GRACE_S: how late rank 0's answer says timeout */

#include <string.h>

static struct fake_plan fp;
static struct fake_record rec;

/* Noisy iterations 2 to 6 times their estimate of 10 ms: a share is spent before the fewest. */
static double slow_noisy(const struct fake_at *at)
{
    return at->iter % 2 ? 0.06 : 0.02;
}

static void least_first(void)
{
    struct gx_err err = {0};
    /* --budget 1 leaves 0.4 s for three steps whose least is 90 ms each (10 ms iterations). */
    fake_plan_init(&fp, 1, 1);
    fake_group(&fp, NULL);
    for (int i = 0; i < 3; i++)
        fake_step(&fp, 64u << i, 1000, 10e-3);
    double least = gx_mstep_least_seconds(&fp.steps[0]);
    int rc = fake_run(&fp, slow_noisy, &rec, &err);
    int held = rc == GX_OK && rec.nres == 3;
    for (int i = 0; held && i < 3; i++)
        held = rec.res[i].share_s >= least * (1 - 1e-9) && rec.res[i].iters >= GX_MIN_ITERS;
    ok(held && near(rec.res[2].share_s, least),
       "every step gets its least (%.3f s) and its fewest, the last one too once the budget is "
       "spent: shares %.3f %.3f %.3f s", least, rec.res[0].share_s, rec.res[1].share_s,
       rec.res[2].share_s);
}

/* The share the harness gave the step of `size` in rec. */
static double share_of(size_t size)
{
    for (int i = 0; i < rec.nres; i++)
        if (rec.res[i].size == size)
            return rec.res[i].share_s;
    return -1;
}

/* A group of device buffers, which the harness skips for this pair wherever the test runs: its
 * rank chose no GPU (a build without CUDA has no such memory at all, and fake_init's job is no
 * CUDA-aware MPI besides). */
static void skipped_group(void)
{
    fake_group(&fp, NULL);
    fp.groups[fp.plan.ngroups - 1].src_kind = GX_MEM_DEVICE;
    fp.groups[fp.plan.ngroups - 1].dst_kind = GX_MEM_DEVICE;
}

static void hand_on(void)
{
    struct gx_err err = {0};
    double alone, before, after, beside, absent;
    fake_plan_init(&fp, 10, 1);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 1000, 1e-3);
    int rc = fake_run(&fp, fake_steady, &rec, &err);
    alone = share_of(64);

    fake_plan_init(&fp, 10, 1);
    skipped_group();
    fake_step(&fp, 128, 1000, 1e-3);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 1000, 1e-3);
    rc = rc == GX_OK ? fake_run(&fp, fake_steady, &rec, &err) : rc;
    before = share_of(64);
    ok(rc == GX_OK && rec.nres == 1 && rec.steps_skipped == 1 && rec.skips == 1 &&
           rec.skip_why[0],
       "a group its pair cannot measure: skipped with the reason (%s), its step counted as "
       "done", rec.skip_why);

    fake_plan_init(&fp, 10, 1);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 1000, 1e-3);
    skipped_group();
    fake_step(&fp, 128, 1000, 1e-3);
    rc = rc == GX_OK ? fake_run(&fp, fake_steady, &rec, &err) : rc;
    after = share_of(64);

    fake_plan_init(&fp, 10, 1);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 1000, 1e-3);
    fake_group(&fp, NULL);
    fake_step(&fp, 128, 1000, 1e-3);
    rc = rc == GX_OK ? fake_run(&fp, fake_steady, &rec, &err) : rc;
    beside = share_of(64);
    ok(rc == GX_OK && near(before, alone) && near(after, alone) && beside < alone,
       "a skipped group's time goes to the steps that run, from the first step on, before or "
       "after it in the plan: %.3f s as alone (%.3f, %.3f), %.3f beside a step that runs",
       alone, before, after, beside);

    fake_plan_init(&fp, 10, 1);
    fake_group(&fp, "not in this build");
    fake_step(&fp, 128, 1000, 1e-3);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 1000, 1e-3);
    rc = rc == GX_OK ? fake_run(&fp, fake_steady, &rec, &err) : rc;
    absent = share_of(64);
    ok(rc == GX_OK && near(absent, alone) && rec.steps_skipped == 0 && rec.skips == 1 &&
           !strcmp(rec.skip_why, "not in this build"),
       "an absent group (not in this build) claims no share and no step, said once with its "
       "reason (%.3f s)", absent);
}

/* Step 64 (the first) steady or noisy as `first_noisy` says; step 128 steady. */
static int first_noisy;
static double first(const struct fake_at *at)
{
    return at->size == 64 && first_noisy ? fake_noisy(at) : fake_steady(at);
}

static void left_over(void)
{
    struct gx_err err = {0};
    fake_plan_init(&fp, 2, 1);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 1000, 1e-3);
    fake_step(&fp, 128, 1000, 1e-3);
    first_noisy = 1;
    int rc = fake_run(&fp, first, &rec, &err);
    double spent = share_of(128), spent_first = rec.res[0].elapsed_s;
    first_noisy = 0;
    rc = rc == GX_OK ? fake_run(&fp, first, &rec, &err) : rc;
    double left = share_of(128);
    ok(rc == GX_OK && left > spent,
       "what a step leaves goes to the next: %.3f s after a first step that stopped on its "
       "precision, %.3f after one that spent %.3f s", left, spent, spent_first);
}

/* Iterations 10 to 30 times their estimate of 10 ms. */
static double slower_noisy(const struct fake_at *at)
{
    return at->iter % 2 ? 0.3 : 0.1;
}

/* 1 ms an iteration in the first visit, 2 in the second, 3 in the third. */
static double by_visit(const struct fake_at *at)
{
    return 1e-3 * at->visit;
}

/* 1 ms an iteration before visit `slow_from`, 0.5 s from it on. */
static int slow_from;
static double slow_later(const struct fake_at *at)
{
    return at->visit < slow_from ? 1e-3 : 0.5;
}

/* A step's later visits far past their shares: from its fewest on, no more visits. */
static void visits_cut_later(void)
{
    for (slow_from = 3; slow_from <= GX_LEAST_VISITS; slow_from += GX_LEAST_VISITS - 3) {
        struct gx_err err = {0};
        fake_plan_init(&fp, 2, 8);
        fake_group(&fp, NULL);
        fake_step(&fp, 64, 30, 1e-3);
        int rc = fake_run(&fp, slow_later, &rec, &err);
        const struct fake_result *r = &rec.res[rec.nres > 0 ? rec.nres - 1 : 0];
        ok(rc == GX_OK && rec.steps == GX_LEAST_VISITS &&
               rec.steps_skipped == 8 - GX_LEAST_VISITS && r->last &&
               r->visits == GX_LEAST_VISITS && r->visits_planned == 8,
           "8 visits, visit %d on 0.5 s iterations: the step's visits end at its fewest, %d "
           "(%ld steps, %ld skipped; its visits %.2f s on shares of %.2f)", slow_from,
           GX_LEAST_VISITS, rec.steps, rec.steps_skipped, r->elapsed_s, r->share_s);
    }
}

static void visits(void)
{
    struct gx_err err = {0};
    fake_plan_init(&fp, 0, 3);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 30, 1e-3);
    fake_step(&fp, 128, 30, 1e-3);
    int rc = fake_run(&fp, by_visit, &rec, &err);
    size_t order[6] = {64, 128, 64, 128, 64, 128};
    int spread = rec.steps == 6;
    for (int i = 0; spread && i < 6; i++)
        spread = rec.step_size[i] == order[i] && rec.step_visit[i] == 1 + i / 2;
    ok(rc == GX_OK && spread, "--visits 3: each step visited three times, in turn with the other");
    const struct fake_result *r = &rec.res[4];
    ok(rec.nres == 6 && !rec.res[0].last && !rec.res[2].last && r->last && r->size == 64 &&
           r->visits == 3 && r->visits_planned == 3 &&
           r->stats.n == GX_MIN_ITERS + 2 * ((GX_MIN_ITERS + 2) / 3) &&
           near(r->stats.median, 1000) && near(r->visit_median[0], 1000) &&
           near(r->visit_median[1], 2000) && near(r->visit_median[2], 3000),
       "the visits joined in the last one's result: %llu samples (the first visit's fewest, a third "
       "of them at each later one), median %g us of each "
       "visit's %g, %g, %g", (unsigned long long)r->stats.n, r->stats.median,
       r->visit_median[0], r->visit_median[1], r->visit_median[2]);

    /* A first visit far past its share: no more visits, their time handed on. */
    fake_plan_init(&fp, 1, 3);
    fake_group(&fp, NULL);
    fake_step(&fp, 64, 30, 10e-3);
    rc = fake_run(&fp, slower_noisy, &rec, &err);
    r = &rec.res[0];
    ok(rc == GX_OK && rec.steps == 1 && rec.steps_skipped == 2 && rec.nres == 1 && r->last &&
           r->visits == 1 && r->visits_planned == 3 && r->elapsed_s > 2 * r->share_s,
       "a first visit of %.2f s on a share of %.2f: its 2 later visits cut, its result the "
       "last (visits %d of %d)", r->elapsed_s, r->share_s, r->visits, r->visits_planned);
}

/* Each iteration of step 64: its time since the step was armed, and the watchdog's answer. */
static double armed_at, since[64];
static int due[64], nseen;
static void watch(const struct fake_at *at)
{
    if (at->size == 64 && nseen < 64) {
        since[nseen] = fake_now - armed_at;
        due[nseen++] = gx_watchdog_end_due();
    }
}

/* Step 64 takes `long_s` an iteration, step 128 1 ms. */
static double long_s;
static double long_first(const struct fake_at *at)
{
    if (at->size == 64 && at->iter == 0) { /* its first iteration: the step was just armed */
        armed_at = fake_now;
        nseen = 0;
    }
    return at->size == 64 ? long_s : 1e-3;
}

/* Whether the watchdog said timeout exactly where the step had passed limit_s (and the grace
 * rank 0 leaves the others), with iterations on both sides of it. */
static int due_past(double limit_s)
{
    int before = 0, past = 0, right = 1;
    for (int i = 0; i < nseen; i++) {
        int late = since[i] > limit_s + RANK0_GRACE_S;
        before += !late;
        past += late;
        right &= due[i] == (late ? GX_ETIMEOUT : -1);
    }
    return right && before && past;
}

static void watchdog(void)
{
    struct gx_err err = {0};
    fake_plan_init(&fp, 0, 1);
    fp.o.g.timeout = 2;
    fake_group(&fp, NULL);
    fake_exact(fake_step(&fp, 64, 1000, 1e-3), 6);
    fake_exact(fake_step(&fp, 128, 1000, 1e-3), 6);
    long_s = 1.25;
    fake_during = watch;
    int rc = fake_run(&fp, long_first, &rec, &err);
    ok(rc == GX_OK && due_past(2) && rec.res[0].end_due == GX_ETIMEOUT,
       "--timeout 2: a step of 1.25 s iterations is due to time out once 2 s (and rank 0's "
       "grace) have passed, and is when its result is written");
    ok(rec.nres == 2 && rec.res[1].end_due == -1 && gx_watchdog_end_due() == -1,
       "the next step has a limit of its own, and after the steps none is due");

    fp.o.g.timeout = 0;
    fake_exact(&fp.steps[0], 20);
    long_s = 5;
    rc = fake_run(&fp, long_first, &rec, &err);
    const struct gx_mstep *s = &fp.steps[0];
    double limit = gx_default_timeout(s->size, s->iters, s->warmup, s->window);
    ok(rc == GX_OK && limit > GX_TIMEOUT_SETUP_S && due_past(limit) &&
           rec.res[0].end_due == GX_ETIMEOUT && rec.res[1].end_due == -1,
       "no --timeout: the default limit for the step's work (%.2f s) is the one passed, its "
       "5 s iterations due to time out after it", limit);
    fake_during = NULL;
}

/* A platform of two speeds, as a virtual machine whose virtual CPUs move among the host's cores:
 * 50% slower for the first 30% of every 200 ms of the fake clock, the runs of an A/A starting at
 * other phases of it; each iteration 1% apart from the next (a deterministic jitter). A visit's
 * first (untimed) iteration lasts what the rest of a plan would take between two visits. */
#define TWO_SPEEDS_PERIOD 200e-3
static double two_speeds_phase;

static double two_speeds(const struct fake_at *at)
{
    if (at->iter == 0)
        return 0.37 * TWO_SPEEDS_PERIOD;
    double t = fmod(fake_now + two_speeds_phase, TWO_SPEEDS_PERIOD) / TWO_SPEEDS_PERIOD;
    double jitter = 1 + 0.01 * (double)((at->iter * 7 + at->visit * 3) % 5 - 2) / 2;
    return (t < 0.3 ? 1.5e-3 : 1e-3) * jitter;
}

/* A step's median in five runs at other phases of the platform, by visits (each visit a result
 * event: the record holds FAKE_MAX): their spread over the runs, and how many runs marked the
 * result drift. */
#define AA_RUNS 5
static double aa_spread(int nvisits, int *marked)
{
    struct gx_err err = {0};
    double lo = 0, hi = 0;
    *marked = 0;
    for (int run = 0; run < AA_RUNS; run++) {
        two_speeds_phase = TWO_SPEEDS_PERIOD * (0.13 + 0.17 * run);
        fake_plan_init(&fp, 0, nvisits);
        fake_group(&fp, NULL);
        fake_step(&fp, 64, 30, 1e-3)->precision = 0;
        if (fake_run(&fp, two_speeds, &rec, &err) != GX_OK || rec.nres != nvisits ||
            !rec.res[nvisits - 1].last)
            return INFINITY;
        double m = rec.res[nvisits - 1].stats.median;
        lo = run == 0 || m < lo ? m : lo;
        hi = run == 0 || m > hi ? m : hi;
        *marked += (rec.res[nvisits - 1].marks & GX_NOISE_DRIFT) != 0;
    }
    return lo > 0 ? hi / lo - 1 : INFINITY;
}

static void platform(void)
{
    int marked = 0;
    double spread = aa_spread(GX_DEFAULT_VISITS, &marked);
    ok(spread < 0.05 && marked == AA_RUNS,
       "a platform of two speeds (50%% apart): %d visits' medians agree over %d runs within "
       "%.1f%% (under 5%%), each marked drift (%d): the platform's, not the machine's",
       GX_DEFAULT_VISITS, AA_RUNS, 100 * spread, marked);
}

int main(int argc, char **argv)
{
    struct gx_err err = {0};
    int rc = fake_init(&argc, &argv, &err);
    ok(rc == GX_OK, "MPI and the fakes in place %s", err.msg);
    if (rc != GX_OK)
        return tap_done();
    least_first();
    hand_on();
    left_over();
    visits();
    visits_cut_later();
    platform();
    watchdog();
    ok(fake_fini() == GX_OK, "MPI finalized");
    return tap_done();
}
