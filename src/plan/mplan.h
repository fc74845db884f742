/* The measurement plan: every measurement the job makes, in the order it makes them, expanded
 * once from the options: first the ceiling probes the results will be rated against (each at
 * the sizes and pairs its results need), then the results. The harness executes it, the
 * progress line counts it and --dry-run prints it: nothing else expands options. */
#ifndef GX_MPLAN_H
#define GX_MPLAN_H

#include "chunk.h"
#include "noise.h"
#include "options.h"
#include "pairs.h"

#include <limits.h>
#include <stdio.h>

/* One measurement: one result per pair of its group's round. */
struct gx_mstep {
    int pattern;               /* enum gx_pattern_kind */
    size_t size;
    size_t chunk;              /* chunked paths: bytes per chunk (ncand 1); otherwise 0 */
    int depth;
    /* iters: the most timed iterations; min_iters: the fewest, before the stop rule is asked
     * (equal with --iters: exactly that many); floor_iters (<= min_iters): the fewest before
     * the budget's time may end the step (a probe's GX_PROBE_MIN_ITERS, else min_iters).
     * precision: what the stop rule asks of the median (0: nothing). */
    long iters, min_iters, floor_iters, warmup, window;
    double precision;
    /* Seconds the step takes at its iterations and the path's nominal rate (a guess): its
     * share of the budget is in proportion. */
    double estimate_s;
    /* Chunked paths without fixed --chunk/--depth: the candidates (the whole message last);
     * with more than one, each is measured briefly and the best is measured in full. */
    int ncand;
    size_t cand_chunk[GX_AUTO_MAX_CANDIDATES];
    int cand_depth[GX_AUTO_MAX_CANDIDATES];
    int best_of; /* a ceiling probe's: its value is the best iteration of all its visits */
};

/* One (run, path or probe, round): its buffers and the path are opened once for all its
 * steps. */
struct gx_mgroup {
    int run, path, round;
    int probe;                 /* >= 0: the ceiling probe gx_probes[probe] (path is -1) */
    /* A probe its run measures for itself (the run's --probes: the node's map of host links),
     * not for the ceilings of results after it: listed, counted and estimated as results. */
    int own;
    int src_kind, dst_kind;    /* resolved: the run's --mem or the path's defaults */
    const char *absent;        /* the path is not in this build: skipped, no steps */
    size_t first, n;           /* its steps */
    size_t largest;            /* the largest size of its steps */
};

struct gx_mplan {
    const struct gx_layout *layout;     /* the job's, or the one --assume-nodes gives */
    int nruns;
    struct gx_pairs pairs[GX_MAX_RUNS]; /* each run's rounds, resolved once */
    struct gx_mgroup *groups;
    size_t ngroups, gcap;
    struct gx_mstep *steps;
    size_t nsteps, scap;
    int nvisits; /* --visits, resolved: the visits of a step the stop rule ends */
    int visits_asked; /* --visits given: every such step has nvisits */
};
/* The visits step i gets: the plan's, one for a step of exactly --iters (a probe's: asking no
 * precision) and for a probe of the run's own (the map's cells), none for a step of an absent
 * group. A ceiling probe visits as the
 * results it bounds do, before them in each visit: the machine's speed changes within a run, and
 * a bound measured at one moment fell below a result that was also measured at others. */
int gx_mplan_step_visits(const struct gx_mplan *p, size_t i);
/* One of a step's `visits` visits: its most iterations shared among them (never fewer than its
 * fewest; a ceiling probe's fewest shared too, its bound being the best of them all), and the
 * precision each asks widened by sqrt(visits), so that the median of all their
 * iterations is known to about the step's own precision, as one visit of them all would be; a
 * later one (not first) without the chunk search (it measures what the first chose), its
 * estimate at the step's pace per iteration. */
struct gx_mstep gx_mstep_visit(const struct gx_mstep *s, int visits, int first);

/* The ops a group measures (its path's or its probe's), and their name. */
const struct gx_path_ops *gx_mgroup_ops(const struct gx_mgroup *g);
const char *gx_mgroup_name(const struct gx_mgroup *g);

/* Size-dependent defaults (documented in --help, which reads these constants). A step's most
 * iterations by size class (gx_default_iters). */
#define GX_ITERS_TINY 1000
#define GX_ITERS_SMALL 500
#define GX_ITERS_MEDIUM 200
#define GX_ITERS_LARGE 50
#define GX_ITERS_XLARGE 20
#define GX_ITERS_HUGE 10
/* The warm-up: GX_WARMUP_PCT percent of the iterations, GX_WARMUP_MIN at least. */
#define GX_WARMUP_PCT 10
#define GX_WARMUP_MIN 2
/* The bw window by bytes: GX_WINDOW_MOST, fewer where those would hold more than
 * GX_WINDOW_MIB. */
#define GX_WINDOW_MOST 64
#define GX_WINDOW_MIB 256
/* --chunk LIST alone: depth GX_GIVEN_DEPTH; --depth LIST alone: chunk GX_GIVEN_CHUNK_MIB. */
#define GX_GIVEN_DEPTH 2
#define GX_GIVEN_CHUNK_MIB 1
long gx_default_iters(size_t bytes);
long gx_default_warmup(long iters);
/* ... and at least as many iterations of iteration_s as last settle_s (a path's settling time
 * at its typical pace). */
long gx_default_warmup_settling(long iters, double settle_s, double iteration_s);
long gx_default_window(size_t bytes);
/* A path's bw/bibw window: gx_default_window, or more messages where an iteration would last
 * less than GX_WINDOW_SECONDS at gbps (the path's typical rate), up to GX_WINDOW_MAX. */
#define GX_WINDOW_MS 20
#define GX_WINDOW_SECONDS (GX_WINDOW_MS / 1000.0)
#define GX_WINDOW_MAX 256
long gx_default_window_at(size_t bytes, double gbps);
/* The same for a GX_PATH_WINDOW_BY_TIME path: the messages that last GX_WINDOW_SECONDS at gbps,
 * 1 at least, whatever the bytes in flight. */
long gx_default_window_by_time(size_t bytes, double gbps);
/* Latency: round trips per sample, so that a sample lasts about GX_LATENCY_SAMPLE_SECONDS at
 * the path's typical latency and rate, up to GX_WINDOW_MAX: the clock read twice per sample is
 * then a negligible part of it. */
#define GX_LATENCY_SAMPLE_US 50
#define GX_LATENCY_SAMPLE_SECONDS (GX_LATENCY_SAMPLE_US / 1e6)
/* The typical rate and latency a plan expects of a path (or probe) on its memory kinds. */
struct gx_pace {
    double gbps, us;
};
long gx_default_round_trips(size_t bytes, struct gx_pace pc);
/* A probe's iterations: its ceiling is its best one, found in half a result's default, its
 * schedules taking turns; at least GX_PROBE_MIN_ITERS, also before it may stop. A maximum
 * wants more iterations than a median: a probe that stopped as early as a result does would
 * often have a best that the result's median of the same spread beats (docs/ceilings.md). */
#define GX_PROBE_MIN_ITERS 24
long gx_probe_iters(size_t bytes);
/* The fewest timed iterations of a step that stops on precision or time: GX_MIN_ITERS (its most
 * where that is fewer). Neither the budget nor the precision ends a step before them: five are
 * enough for the interval of a median (GX_NOISE_MIN_SAMPLES), and a result on fewer is marked
 * (GX_NOISE_FEW). The budget gives every step its fewest first (gx_budget_share). */
#define GX_MIN_ITERS GX_NOISE_MIN_SAMPLES
long gx_min_iters(long iters);
/* Seconds a job spends outside its steps (start, the report, the plan) as --dry-run counts
 * them, and what the budget keeps back for them: from mpirun's start to the report's and from
 * the report's end to the exit, between a CPU machine's and a GPU host's (CUDA's start), so
 * that the estimate neither overshoots on one nor falls short on the other (docs/options.md,
 * --dry-run). */
#define GX_JOB_OVERHEAD_S 0.6
/* A plan within this much of its budget is within it (--dry-run's estimate, the run's note). */
#define GX_BUDGET_SLACK 1.05
/* --dry-run's guess at how much a step's iterations vary (their coefficient of variation): a
 * quiet machine's, GX_DRY_RUN_CV up to 64 KiB, half of it up to 1 MiB, a quarter above, as
 * measured steps vary less the larger their messages (docs/options.md, --dry-run); one figure
 * for every size made the estimate of a host run several times the run. */
#define GX_DRY_RUN_CV 0.02
double gx_dry_run_cv(size_t bytes);

/* Expands the options for a job of this layout (kept by pointer: it outlives the plan).
 * GX_EINPUT for pairs the job cannot have, GX_ERUNTIME when out of memory. */
int gx_mplan_make(const struct gx_options *o, const struct gx_layout *layout,
                  struct gx_mplan *p, struct gx_err *err);
void gx_mplan_free(struct gx_mplan *p);
/* The matrices (GX_VIEW_*) the runs' pair schemes make. */
unsigned gx_mplan_views(const struct gx_mplan *p);

/* The iterations of a step's data check, before its warm-up (none for a ceiling probe). */
long gx_mstep_check_iters(const struct gx_mstep *s);
/* Seconds one iteration of a step takes at its estimate (estimate_s over all it runs). */
double gx_mstep_iteration_estimate(const struct gx_mstep *s);
/* The iterations a step runs beyond its own (the candidates' brief measurements, warm-ups and
 * validation), at most (the watchdog's limit, the estimate) and at least (a candidate under a
 * budget stops after gx_mstep_search_min_iters timed iterations once its slice of the step's
 * share is spent). */
long gx_mstep_search_iters(const struct gx_mstep *s);
long gx_mstep_search_floor_iters(const struct gx_mstep *s);
/* A candidate's fewest timed iterations under a budget: GX_SEARCH_MIN_ITERS where an iteration
 * is shorter than GX_SEARCH_SHORT_S at the step's estimated pace (one interruption can swallow
 * such an iteration, and the median of three outvotes it), else one (a long one averages it). */
#define GX_SEARCH_MIN_ITERS 3
#define GX_SEARCH_SHORT_S 0.02
long gx_mstep_search_min_iters(const struct gx_mstep *s);
/* The stop rule's boundaries (engine/stop.h): it is asked first after the step's fewest
 * iterations (GX_ASK_NEVER when that is all it may run), then after batches that grow with the
 * samples, up to its most. */
#define GX_ASK_NEVER LONG_MAX
long gx_mstep_first_ask(const struct gx_mstep *s);
long gx_mstep_next_ask(const struct gx_mstep *s, long n);
/* Under a budget the rule is asked before the fewest iterations too, where only the time can
 * end a step (then after one timed iteration): before the warm-up, after the first iteration of
 * a warm-up of two or more, after 1, 2, 4, ... timed iterations up to the fewest, and from there
 * as gx_mstep_next_ask. n is the boundary last asked at (-warmup - 1 for the first), negative
 * within the warm-up. A step of exactly --iters is never asked. */
long gx_mstep_next_timed_ask(const struct gx_mstep *s, long n);
/* The iterations after which the step ends on its precision where its iterations vary by cv
 * (their coefficient of variation): --dry-run's expectation, not a promise. */
long gx_mstep_settled_iters(const struct gx_mstep *s, double cv);
/* Iterations of a candidate's brief measurement. */
long gx_mstep_quick_iters(const struct gx_mstep *s);

/* The warm-up a path's steps last at least, at its nominal pace: its own settling time, or for
 * a GPU path without one GX_GPU_SETTLE_S: after a step's two warm-up iterations, zerocopy's
 * and unified-prefetch's 8-byte latencies can still be several times their settled value for
 * several samples more. */
#define GX_GPU_SETTLE_S 0.005
double gx_path_settle_s(const struct gx_path_ops *ops);
/* Whether a step of the plan (a path's or a probe's) needs a GPU or memory that CUDA makes
 * (device, managed, pinned, mapped). */
int gx_mplan_uses_gpu(const struct gx_mplan *p);
/* --dry-run: every step, one line each, and an estimate of the time the job will take. */
void gx_mplan_print(FILE *f, const struct gx_mplan *p, const struct gx_options *o);
/* Seconds a group spends outside its iterations on its buffers at each visit (a guess: the
 * harness measures it at the first), its visits, and the set-up of all of them. */
double gx_mgroup_setup_seconds(const struct gx_mgroup *g);
int gx_mgroup_visits(const struct gx_mplan *p, const struct gx_mgroup *g);
double gx_mgroup_setup_all(const struct gx_mplan *p, const struct gx_mgroup *g);
/* --dry-run under a budget (mplan_exact.c): the part of the estimate that runs of exactly
 * --iters take (the GPU default run's map), which the budget does not shorten; nothing where
 * no run, or every run, has exact iterations. */
void gx_mplan_print_exact(FILE *f, const struct gx_mplan *p, const struct gx_options *o);
/* The seconds of the runs of exactly --iters at their estimates (0 where none). */
double gx_mplan_exact_seconds(const struct gx_mplan *p, const struct gx_options *o);

/* The budget as the steps spend it: each step's share is a part of what is left, in proportion
 * to its estimate among the estimates of the steps still to come (GX_BUDGET_EVEN of it split
 * evenly among them), never less than the time of its fewest iterations (its least), so that
 * what a step leaves (it stopped on precision) and what skipped steps would have taken go to
 * those after it. Every rank keeps its own. */
struct gx_budget {
    double seconds;       /* 0: no budget */
    double t0;            /* when the plan started (MPI_Wtime) */
    double estimate_left; /* the estimates of the steps not yet run */
    long steps_left;
    double setup_left;    /* the set-up of the groups' visits still to come, kept back */
};
/* The least a step takes at its estimated pace: its validation, its warm-up, its fewest timed
 * iterations and its candidates' least; a step of exactly --iters, all of them. */
double gx_mstep_least_seconds(const struct gx_mstep *s);
/* The part of a share every step gets alike, whatever its estimate: a step the nominal rates
 * call instant (8 B latency: microseconds) still gets time where the machine is busy. */
#define GX_BUDGET_EVEN 0.5
void gx_budget_start(struct gx_budget *bg, const struct gx_mplan *p, double seconds, double now);
/* Seconds step s may take from now (0 without a budget); counts it as run. */
double gx_budget_share(struct gx_budget *bg, const struct gx_mstep *s, double now);
/* A group's set-up at one visit is done (or will not be): no longer kept back. */
void gx_budget_setup_spent(struct gx_budget *bg, double seconds);
/* Steps that will not run (a skipped group): their estimates no longer claim a share. */
void gx_budget_skip(struct gx_budget *bg, const struct gx_mstep *s, size_t n);
double gx_budget_left(const struct gx_budget *bg, double now);
/* Seconds the plan takes at the least (every step's least, its groups' setup, the job's
 * overhead) at the estimated rates: a budget below it cannot be kept, which the run says
 * before it starts and records in the report. */
double gx_budget_least(const struct gx_mplan *p);
/* Rank 0, before the steps: one line saying what the budget buys (the iterations the
 * estimates afford every step, and the interval that gives a median at a 5% spread), after
 * one saying that it cannot be kept where even the plan's least outlasts it. */
void gx_budget_print(FILE *f, const struct gx_mplan *p, const struct gx_options *o);

#endif
