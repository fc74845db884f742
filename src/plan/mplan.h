/* Every measurement in order, expanded once: the harness and --dry-run agree. */
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
    /* min_iters: before the stop rule is asked; floor_iters: before the budget may end it. */
    long iters, min_iters, floor_iters, warmup, window;
    double precision;          /* asked of the median by the stop rule (0: nothing) */
    double estimate_s;         /* at the nominal rate: the budget is shared in proportion */
    double dry_cv;             /* --dry-run's measured guess at its cv; 0: gx_dry_run_cv's */
    double paced_s;            /* --dry-run: an iteration at the pace measured; 0: estimate_s's */
    double check_fill;         /* --dry-run: a data check's fill and compare, in iterations */
    double search_weight;      /* --dry-run: the pilot's candidates in the chosen one's time */
    double measure_s;          /* --dry-run: a measurement's seconds beside its iterations */
    /* Chunk candidates (the whole message last): each measured briefly, the best in full. */
    int ncand;
    size_t cand_chunk[GX_AUTO_MAX_CANDIDATES];
    int cand_depth[GX_AUTO_MAX_CANDIDATES];
    int best_of; /* a ceiling probe's: its value is the best iteration of all its visits */
    int vary;    /* --vary: the index + 1 of the value it measures; 0: none */
    int later;   /* a later visit's part (gx_mstep_visit): no search, fewer fewest iterations */
};

/* --dry-run's pace of host memory between ranks 0 and 1: one way, a message of 8 B and of
 * bytes_near and bytes_far in a window, and how much the samples varied; a sample of the
 * windows lasted near_s and far_s. */
struct gx_measured_pace {
    double us, gbps_near, gbps_far, cv_small, cv_near, cv_far, near_s, far_s;
    double gbps_both; /* each way, beyond the caches, with as much moving the other way */
    double gbps_both_near; /* the same of bytes_near, in the caches */
    double fill_gbps, check_gbps; /* a data check's pattern written, and compared */
    double sum_fill_gbps, sum_check_gbps; /* a reduction's floats computed, and compared */
    double copy_gbps; /* a copy of host memory beyond the caches, as the ceiling probes make */
    double copy_gbps_near; /* the same of bytes_near, in the caches, as a probe's window is */
    size_t bytes_near, bytes_far, bytes_both;
};
/* One (run, path or probe, round): buffers and path opened once for all its steps. */
struct gx_mgroup {
    int run, path, round;
    int probe;                 /* >= 0: the ceiling probe gx_probes[probe] (path is -1) */
    int own;                   /* a probe the run's --probes asks for: counted as a result */
    int src_kind, dst_kind;    /* resolved: the run's --mem or the path's defaults */
    const char *absent;        /* the path is not in this build: skipped, no steps */
    size_t first, n;           /* its steps */
    size_t largest;            /* the largest size of its steps */
    int vary;                  /* --vary of a group's option: its value's index + 1; 0: none */
    int nccl_comm;             /* enum gx_nccl_comm: the job's, or its --vary value's */
    double setup_gbps;         /* --dry-run: its buffers' pace measured; 0: GX_SETUP_GBPS */
    double own_setup_s;        /* --dry-run: its path's own pinned memory set up, a visit */
    int opens;                 /* the first to open its path for its pairs (gx_mplan_mark_opens) */
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
    int long_visits;  /* a step of long messages' (GX_SHORT_MESSAGE_US), fitted to the budget */
    char collapsed[256]; /* "": no collective's size measured another's (the first said) */
    const struct gx_vary *vary; /* --vary, or NULL */
    long skipped_steps; /* --dry-run: results' steps the run will skip (gx_mplan_mark_unusable) */
    int cuda_start; /* some group asks for CUDA, skipped or not: the job starts it */
    int host_paced; /* --dry-run: host memory's steps estimated at host_pace */
    long pilot_steps;   /* --dry-run: steps paced by the pilot (gx_mplan_pilot_pace) */
    double pilot_s;     /* and the pilot's seconds */
    struct gx_measured_pace host_pace;
    double setup_gbps[GX_MEM_COUNT]; /* --dry-run: a buffer of each kind set up; 0: not measured */
};
/* The visits step i gets. A ceiling probe visits as its results do, before them each time: the
 * machine's speed drifts, and a bound measured once fell below results measured at others. */
int gx_mplan_step_visits(const struct gx_mplan *p, size_t i);
/* The iterations shared among the visits, the precision widened by sqrt(visits) so that all
 * together reach the step's; only the first searches chunks. */
struct gx_mstep gx_mstep_visit(const struct gx_mstep *s, int visits, int first);

const struct gx_path_ops *gx_mgroup_ops(const struct gx_mgroup *g);
const char *gx_mgroup_name(const struct gx_mgroup *g);

/* Defaults by size; --help reads these constants. */
#define GX_ITERS_TINY 1000
#define GX_ITERS_SMALL 500
#define GX_ITERS_MEDIUM 200
#define GX_ITERS_LARGE 50
#define GX_ITERS_XLARGE 20
#define GX_ITERS_HUGE 10
#define GX_WARMUP_PCT 10
#define GX_WARMUP_MIN 2
#define GX_WINDOW_MOST 64
#define GX_WINDOW_MIB 256
#define GX_GIVEN_DEPTH 2
#define GX_GIVEN_CHUNK_MIB 1
long gx_default_iters(size_t bytes);
long gx_default_warmup(long iters);
long gx_default_warmup_settling(long iters, double settle_s, double iteration_s);
#define GX_WINDOW_MS 20
#define GX_WINDOW_SECONDS (GX_WINDOW_MS / 1000.0)
#define GX_WINDOW_MAX 256
long gx_default_window_at(size_t bytes, double gbps);
long gx_default_window_by_time(size_t bytes, double gbps);
/* Latency samples long enough that the two clock reads are negligible. */
#define GX_LATENCY_SAMPLE_US 50
#define GX_LATENCY_SAMPLE_SECONDS (GX_LATENCY_SAMPLE_US / 1e6)
struct gx_pace {
    double gbps, us;
};
long gx_default_round_trips(size_t bytes, struct gx_pace pc);
/* A maximum wants more iterations than a median to stay above it (docs/ceilings.md). */
#define GX_PROBE_MIN_ITERS 24
long gx_probe_iters(size_t bytes);
/* The fewest iterations of a step that may stop early: enough for a median's interval. */
#define GX_MIN_ITERS GX_NOISE_MIN_SAMPLES
long gx_min_iters(long iters);
/* Seconds outside the steps (MPI's start, the topology, the report) on a host without CUDA:
 * --dry-run's estimate counts them. */
#define GX_JOB_OVERHEAD_S 0.35
/* What a budget keeps back for them: more, so that a run whose report takes longer (many results,
 * a slow file system) still ends within its budget. */
#define GX_BUDGET_RESERVE_S 0.6
/* A plan that asks for CUDA (hwloc's CUDA and NVML discovery, the runtime's start) starts later
 * where a driver is (without one, the start is a call that fails at once). A budget's clock
 * starts after it: --dry-run counts it in the estimate, not against the budget. */
#define GX_CUDA_START_S 2.25
/* --dry-run's seconds outside the steps: the one above, and CUDA's start where it is asked. */
double gx_mplan_overhead(const struct gx_mplan *p);
#define GX_BUDGET_SLACK 1.05
/* Its host memory's steps estimated at that pace, where the nominal rates are a quiet
 * machine's guess. */
void gx_mplan_host_pace(struct gx_mplan *p, const struct gx_measured_pace *m);
/* --dry-run: a visit's buffers at the pace a buffer of each kind was allocated and first
 * written (gbps by kind; 0: not measured): a page of pageable memory is mapped at its first
 * touch (a one-way pattern's sender never writes its destination), pinned memory is locked as
 * it is allocated, cudaMalloc's is neither. */
void gx_mplan_setup_pace(struct gx_mplan *p, const double gbps[GX_MEM_COUNT]);
/* Whether a group not skipped moves host memory alone. */
int gx_mplan_has_host(const struct gx_mplan *p);
/* --dry-run's guess at a step's coefficient of variation, smaller for larger messages. */
#define GX_DRY_RUN_CV 0.02
double gx_dry_run_cv(size_t bytes);

/* --dry-run's pilot of a plan's steps that need a GPU and its collectives: its points (two
 * sizes a run, a collective's three, by pair), the largest sizes it measures (a message beyond
 * them takes the line through the last two), and each point's timed iterations. */
#define GX_PILOT_POINTS 4096
#define GX_PILOT_MOST (16u << 20)
#define GX_PILOT_LARGE (256u << 20)
#define GX_PILOT_ITERS 3
/* --dry-run's pilot: what one window of a group's pattern took at a size, per message (a call,
 * or a one-way trip), measured by the harness with a few iterations. */
struct gx_pilot_point {
    int run, path, src_kind, dst_kind, pattern;
    size_t size;
    double msg_s;
    size_t chunk; /* 0: the path does not chunk */
    int depth;
    /* The chunk search's candidates, each in the chosen one's time, summed (0: none searched):
     * a slow candidate's brief measure costs many of the best's iterations. */
    double search_weight;
    /* Each measurement's seconds beside its iterations (preparing the path, its data check), and
     * the candidates measured: a candidate is a measurement of its own. */
    double measure_s;
    int tries;
};
/* The sizes a run's pilot measures, of its own (coll: a run of collectives). */
void gx_mplan_pilot_sizes(struct gx_size_list *sizes, int coll);
/* Whether a group not skipped needs the pilot: it needs a GPU, or runs collectives. */
int gx_mplan_needs_pilot(const struct gx_mplan *p);
/* The steps of the groups that need the pilot at the pace of their points: the time of a message on
 * the line through the points by size, no shorter than at the smallest. Returns the steps paced. */
long gx_mplan_pilot_pace(struct gx_mplan *p, const struct gx_pilot_point *pts, size_t n);
/* The pilot's own plan: the groups that need it, of each run's first round. */
void gx_mplan_pilot_only(struct gx_mplan *pilot);
/* An iteration's seconds: at the pilot's pace where it measured one, else at the estimate's. */
double gx_mstep_paced_iteration(const struct gx_mstep *s);
/* All its iterations at that pace (or estimate_s). */
double gx_mstep_paced_seconds(const struct gx_mstep *s);
/* --dry-run: its measurements' seconds beside their iterations (searched: each candidate's). */
double gx_mstep_beside_seconds(const struct gx_mstep *s, int searched);

/* layout is kept by pointer: it must outlive the plan. */
int gx_mplan_make(const struct gx_options *o, const struct gx_layout *layout,
                  struct gx_mplan *p, struct gx_err *err);
void gx_mplan_free(struct gx_mplan *p);
/* --dry-run: the groups the run will skip, as its filters would, marked absent with the run's
 * reason: a GPU's (or CUDA memory's) where a rank of their round has none (has_gpu per rank),
 * device buffers handed to MPI where not_cuda_aware is not NULL, a path whose set-up failed
 * (gx_path_setup_failed, in the pilot). Returns the results' steps newly marked. */
long gx_mplan_mark_unusable(struct gx_mplan *p, const int *has_gpu, const char *no_gpu,
                            const char *not_cuda_aware);
/* The GX_VIEW_* matrices the runs' pair schemes make. */
unsigned gx_mplan_views(const struct gx_mplan *p);

/* The data check before each visit, in iterations (a fraction of one). */
double gx_mstep_check_iters(const struct gx_mstep *s);
/* Iterations a step of n runs in all: with its warm-up, chunk search and data check. */
double gx_mstep_runs(const struct gx_mstep *s, long n);
double gx_mstep_iteration_estimate(const struct gx_mstep *s);
/* Iterations beyond the step's own (candidates, warm-ups, validation): at most and at least. */
long gx_mstep_search_iters(const struct gx_mstep *s);
long gx_mstep_search_floor_iters(const struct gx_mstep *s);
/* One interruption can swallow a short iteration, which a median of three outvotes. */
#define GX_SEARCH_MIN_ITERS 3
#define GX_SEARCH_SHORT_S 0.02
long gx_mstep_search_min_iters(const struct gx_mstep *s);
/* When the stop rule is asked (engine/stop.h): batches that grow with the samples. */
#define GX_ASK_NEVER LONG_MAX
long gx_mstep_first_ask(const struct gx_mstep *s);
long gx_mstep_next_ask(const struct gx_mstep *s, long n);
/* Under a budget, asked earlier too; n is the last boundary (-warmup - 1 at first). */
long gx_mstep_next_timed_ask(const struct gx_mstep *s, long n);
long gx_mstep_quick_iters(const struct gx_mstep *s);

/* The least warm-up of a GPU path without its own settle_s: small latencies of zerocopy and
 * unified-prefetch stay high for several samples after two warm-up iterations. */
#define GX_GPU_SETTLE_S 0.005
double gx_path_settle_s(const struct gx_path_ops *ops);
/* A group present whose path or memory needs a GPU. */
int gx_mgroup_uses_gpu(const struct gx_mgroup *g);
/* Whether a step needs a GPU or memory that CUDA makes. */
int gx_mplan_uses_gpu(const struct gx_mplan *p);
void gx_mplan_print(FILE *f, const struct gx_mplan *p, const struct gx_options *o);
/* The dry run's estimate of the whole run, in seconds; and of what the budget counts (CUDA's
 * start left out: the budget's clock starts after it). */
double gx_mplan_estimate(const struct gx_mplan *p, const struct gx_options *o);
double gx_mplan_budget_estimate(const struct gx_mplan *p, const struct gx_options *o);
/* The line for runs given --pairs job (collectives alone, no --pairs): the dry run's, the
 * table's. */
void gx_pairs_implied_note(FILE *f, const struct gx_options *o);
/* A group's set-up at each visit (a guess until the harness measures one). */
double gx_mgroup_setup_seconds(const struct gx_mgroup *g);
/* Each group's opens: whether it is the first of the plan to open its path or probe, with its
 * --vary value, for its pairs (its set-up does what the path does once for them). */
int gx_mplan_mark_opens(struct gx_mplan *p, struct gx_err *err);
int gx_mgroup_visits(const struct gx_mplan *p, const struct gx_mgroup *g);
double gx_mgroup_setup_all(const struct gx_mplan *p, const struct gx_mgroup *g);
/* The part of the estimate that runs of exactly --iters take: the budget does not shorten it. */
void gx_mplan_print_exact(FILE *f, const struct gx_mplan *p, const struct gx_options *o);
double gx_mplan_exact_seconds(const struct gx_mplan *p, const struct gx_options *o);

/* Each step's share is a part of what is left, in proportion to its estimate and never less
 * than its least, so that time a step leaves goes to those after it. Every rank keeps its own. */
struct gx_budget {
    double seconds;       /* 0: no budget */
    double t0;
    double estimate_left;
    double first_left;    /* of which the steps' first visits */
    long steps_left;
    double setup_left;    /* kept back for the groups' visits still to come */
    double setup_ran;     /* spent on them so far: apart from the steps' pace */
    double estimate_ran;  /* of the steps begun */
    double first_ran;     /* of which first visits */
    double first_s, later_s; /* the visits ended took: a first, with its search and all of its
                              * fewest iterations, takes more of its estimate than a later one */
    double later_per_first; /* a later visit's part of its estimate in a first's, by their least,
                             * until a later visit has run */
};
double gx_mstep_least_seconds(const struct gx_mstep *s);
/* Shared evenly: a step the nominal rates call instant still gets time on a busy machine. */
#define GX_BUDGET_EVEN 0.5
void gx_budget_start(struct gx_budget *bg, const struct gx_mplan *p, double seconds, double now);
/* Counts s as run. */
double gx_budget_share(struct gx_budget *bg, const struct gx_mstep *s, double now);
/* A visit s ended after seconds. */
void gx_budget_ran(struct gx_budget *bg, const struct gx_mstep *s, double seconds);
void gx_budget_setup_spent(struct gx_budget *bg, double seconds);
void gx_budget_skip(struct gx_budget *bg, const struct gx_mstep *s, size_t n);
double gx_budget_left(const struct gx_budget *bg, double now);
/* Whether the steps to come, at the pace the steps begun kept against their estimates (their
 * groups' set-up left out: what is left keeps the set-up to come apart; first and later visits
 * each at their own), would outlast what is left. */
int gx_budget_at_risk(const struct gx_budget *bg, double now);
/* Whether a step's visit (from 1) of its visits may be its last where it outlasts its share
 * and the budget is at risk, and by how much: the first by GX_VISITS_CUT, a later one from the
 * fewest visits (a ceiling probe's from its second) by GX_VISITS_CUT_LATER; 0: it may not. */
double gx_mplan_cut_factor(const struct gx_mplan *p, const struct gx_mstep *s, int visit,
                           int visits);
/* A budget below the plan's least cannot be kept: the run says so and records it. */
double gx_budget_least(const struct gx_mplan *p);
void gx_budget_print(FILE *f, const struct gx_mplan *p, const struct gx_options *o);

#endif
