/* The fakes the engine's unit tests (tests/test_engine*.c) drive the real harness with,
 * in-process on one rank, as UCX's test_perf drives its perftest with a fake launcher: the
 * engine's clocks (clock.h) swapped for one that only the fake transfers advance, a pattern
 * whose every iteration lasts what the test's script says, a sink that records what the harness
 * hands it, and plans made by hand for the pair of rank 0 with itself on the host path (its data
 * check is a message to itself and back). Shares, verdicts and deadlines then follow from the
 * script alone: a case takes milliseconds whatever the seconds it scripts, and the machine's
 * load changes nothing. */
#ifndef GX_ENGINE_FAKE_H
#define GX_ENGINE_FAKE_H

#include "harness.h"

#define FAKE_MAX 16         /* groups, steps, results */
#define FAKE_MAX_SAMPLES 64 /* the samples a result keeps (--samples) */

/* Where an iteration of the fake pattern falls: its step's size, its visit (0: the step has
 * one) and its place in that visit (0 first, warm-up included). */
struct fake_at {
    size_t size;
    int visit;
    long iter;
};
/* The script: the seconds an iteration lasts. */
typedef double (*fake_secs_fn)(const struct fake_at *at);

/* What the sink kept of one result. */
struct fake_result {
    size_t size, step;
    int state, valid, ended, visits, visits_planned, last;
    long iters;
    double share_s, elapsed_s;
    struct gx_stats stats;
    unsigned marks;
    double visit_median[GX_MAX_VISITS];
    double samples[FAKE_MAX_SAMPLES];
    size_t nsamples;
    int end_due; /* the watchdog's answer as the report would have written it (-1: none due) */
};

/* Everything the sink heard in one run of the harness. */
struct fake_record {
    long passes, steps, precisions, steps_skipped, skips, ends;
    char skip_why[256];
    size_t step_size[FAKE_MAX]; /* each step event's size and visit, in order */
    int step_visit[FAKE_MAX];
    double step_at[FAKE_MAX];   /* the fake clock then: when its watchdog was armed */
    int nres;
    struct fake_result res[FAKE_MAX];
};

/* A plan of one run, made by hand: groups of the host path (or absent ones), their steps. */
struct fake_plan {
    struct gx_options o;
    struct gx_mplan plan;
    struct gx_mgroup groups[FAKE_MAX];
    struct gx_mstep steps[FAKE_MAX];
    struct gx_pair pair;
    struct gx_round round;
};

/* The fake clock's seconds (both of the engine's clocks read it). */
extern double fake_now;
/* Called inside each fake iteration, once the clock has moved (NULL: nothing). */
extern void (*fake_during)(const struct fake_at *at);

/* MPI_Init and the fakes in place; fake_fini undoes it. */
int fake_init(int *argc, char ***argv, struct gx_err *err);
int fake_fini(void);
/* An empty plan whose run has this --budget (0: none) and --visits. */
void fake_plan_init(struct fake_plan *fp, long budget_s, int visits);
/* A group of the host path, absent (never measured) with a reason. */
void fake_group(struct fake_plan *fp, const char *absent);
/* A step of the last group at `size` bytes: at most `iters` timed iterations, the fewest
 * gx_min_iters of them, two of warm-up, 1% precision; the plan estimates it at iter_s an
 * iteration. Change what the case needs in what it returns. At most 512 bytes: the data check's
 * blocking send to itself must fit the MPI's eager limit (a larger one waits for a receive that
 * comes only after it). */
struct gx_mstep *fake_step(struct fake_plan *fp, size_t size, long iters, double iter_s);
/* The step of exactly `iters` (--iters): never asked by the stop rule. */
void fake_exact(struct gx_mstep *s, long iters);
/* The harness over the plan with the iterations' script; rec gets what the sink heard. */
int fake_run(struct fake_plan *fp, fake_secs_fn secs, struct fake_record *rec,
             struct gx_err *err);

/* Scripts: 1 ms each (a steady path); 1 and 3 ms in turn (its median's interval never within
 * 1%). */
double fake_steady(const struct fake_at *at);
double fake_noisy(const struct fake_at *at);

#endif
