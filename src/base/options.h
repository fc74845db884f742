/* The options as every layer reads them; the table that fills them is the CLI's. */
#ifndef GX_OPTIONS_H
#define GX_OPTIONS_H

#include "gx.h"
#include "input.h"
#include "sizes.h"

#include <limits.h>

#define GX_MAX_RUNS 64
/* --visits: visits spread over the run, since a machine's speed can move over seconds. */
#define GX_MAX_VISITS 32
/* A platform's speed can switch every few seconds (docs/report.md, "Visits"): many short visits
 * sample its states in proportion, so a result's median holds from one job to the next. Below
 * GX_SHORT_MESSAGE_US a transfer's launch, whose speed moves most, is part of its time. */
#define GX_DEFAULT_VISITS 16
#define GX_LONG_STEP_VISITS 8
#define GX_LEAST_VISITS 5 /* what a budget too short for the above leaves, short and long */
#define GX_LEAST_LONG_VISITS 3
/* A probe's bound is its best iteration: a later visit is one more chance at it and its set-up
 * again, which a budget at risk gives up before a result's visits over the run. */
#define GX_LEAST_PROBE_VISITS 2
/* While the steps to come at the pace kept so far would outlast the budget, a step whose first
 * visit outlasts its share GX_VISITS_CUT times, or a later one from its fewest visits on
 * GX_VISITS_CUT_LATER times, gets no more visits: the machine is slower than the plan (two ranks
 * on one GPU, a busy host), its later visits would overrun as this one did, and their time goes
 * to the steps to come (engine/harness.c). A budget not at risk keeps every visit: a slow step
 * then spends only what the steps before it left unused. */
#define GX_VISITS_CUT 2
#define GX_VISITS_CUT_LATER 1.5
/* A visit's fewest timed iterations: a result's fewest (GX_MIN_ITERS) are split among them. */
#define GX_VISIT_MIN_ITERS 2
#define GX_VISIT_WARMUP 1 /* a later visit's most untimed iterations: its own buffers' first use */
#define GX_SHORT_MESSAGE_US 100
#define GX_SHORT_MESSAGE_S (GX_SHORT_MESSAGE_US * 1e-6)
#define GX_PROBE_VISITS 3 /* a probe's bound is its best: more visits add set-up only */
#define GX_MAX_LIST 16
#define GX_MAX_GPU_MAP 64

/* --ceilings: the ceilings the results are rated against (on), or every one the paths name. */
enum gx_ceilings_mode { GX_CEILINGS_OFF, GX_CEILINGS_ON, GX_CEILINGS_FULL };

enum gx_format {
    GX_FORMAT_TABLE, /* the table (docs/report.md, "The table") */
    GX_FORMAT_CSV,   /* a CSV header, then one line per result; the table goes to stderr */
};

enum gx_chunk_mode {
    GX_CHUNK_BEST,  /* default: the path's own candidates, the best one measured per size */
    GX_CHUNK_AUTO,  /* --chunk auto: every candidate of gx_chunk_policy_auto, the best one */
    GX_CHUNK_GIVEN, /* --chunk LIST and/or --depth LIST: exactly those combinations */
};

/* --nccl-comm: the communicator the nccl path measures a pair on. */
enum gx_nccl_comm { GX_NCCL_COMM_PAIR, GX_NCCL_COMM_JOB };
extern const char *const gx_nccl_comm_names[]; /* indexed by enum gx_nccl_comm */

struct gx_run_opts {
    char name[64];
    int npaths, paths[GX_MAX_LIST];       /* indices into gx_path_table */
    int nprobes, probes[GX_MAX_LIST]; /* gx_probes the run measures as its own (no option) */
    int mem_src, mem_dst;                 /* enum gx_mem_kind or GX_MEM_DEFAULT */
    int npatterns, patterns[GX_MAX_PATTERNS];
    struct gx_size_list sizes;
    char pairs[256];                      /* resolved against the job layout by pairs.c */
    long iters, window;                   /* 0: size-dependent default */
    long warmup;                          /* -1: size-dependent default */
    enum gx_validate validate;
    enum gx_chunk_mode chunk_mode;
    int nchunks;
    size_t chunks[GX_MAX_LIST];           /* chunk sizes; 0 means the whole message */
    int ndepths, depths[GX_MAX_LIST];     /* ndepths 0: not given */
    int ceilings;                         /* enum gx_ceilings_mode */
    double precision;                     /* a step stops once its median is this precise */
    unsigned long long given;             /* options given for this run, by table entry */
    unsigned long long cli;               /* of those, the command line's (else its scenario's) */
};

/* --vary OPTION=V1,V2[,...]: one option of gpuxfer's own measured at each value in one job, the
 * values' steps side by side in every visit, so that they share the machine's moments. */
#define GX_MAX_VARY 8
/* The fewest visits of a step with --vary: then no value's median rests on one moment of the
 * machine, and one visit a disturbance slowed is outvoted by two beside the other values'. */
#define GX_VARY_MIN_VISITS 3
enum gx_vary_option {
    GX_VARY_NONE, GX_VARY_CHUNK, GX_VARY_DEPTH, GX_VARY_WINDOW, /* a step's */
    GX_VARY_PATH, GX_VARY_MEM, GX_VARY_NCCL_COMM,               /* a group's */
    GX_VARY_COUNT
};
extern const char *const gx_vary_names[GX_VARY_COUNT]; /* the options' names */
struct gx_vary_value {
    char text[GX_ITEM_MAX + 1]; /* as given */
    /* What it sets, as the option would: the field of its option alone. */
    int chunk_mode;
    size_t chunk;
    int depth;
    long window;
    int path, mem_src, mem_dst, nccl_comm;
};
struct gx_vary {
    int option; /* enum gx_vary_option */
    int n;
    struct gx_vary_value v[GX_MAX_VARY];
};
static inline int gx_vary_of_group(int option)
{
    return option >= GX_VARY_PATH;
}

/* --samples: the rest go to <output>.samples.jsonl, so that the last write beats SIGKILL. */
#define GX_SAMPLES_INLINE 50000

struct gx_global_opts {
    char output[PATH_MAX];                /* empty: gx_out_path_default (out_path.h) */
    char table[PATH_MAX];                 /* --table: rank 0's stdout, or empty */
    char scenario[PATH_MAX];
    char scenario_file[PATH_MAX], scenario_sha256[65];
    int quiet;
    int wide;                             /* --wide: every column of the table */
    int format;                           /* enum gx_format */
    int progress;                         /* --progress: the progress line even in a log */
    int allow_skip;                       /* a run that measured nothing still exits 0 */
    int fail_on_health;                   /* a health finding is exit 8 (a node check) */
    int samples;                          /* keep raw samples in the report */
    int assume_cuda_aware;
    int ngpu_map, gpu_map[GX_MAX_GPU_MAP]; /* --gpu-map: visible GPU of each node-local rank */
    int bind;                             /* enum gx_bind_policy */
    int nccl_comm;                        /* enum gx_nccl_comm: how nccl measures a pair */
    char topology_xml[PATH_MAX];          /* empty: the live machine (or GPUXFER_TOPOLOGY_XML) */
    char fake_gpus[1024];                 /* --fake-gpus: bus ids standing in for CUDA's list */
    char expect[PATH_MAX];                /* --expect: an expectations file, or empty */
    double slow_pair;                     /* flag matrix pairs below this x the median */
    int force;                            /* overwrite an existing report */
    long timeout;                         /* seconds per measurement; 0: grows with the size */
    long soak;                            /* --soak: repeat the runs until this many seconds */
    long visits;                          /* --visits: 0 for the default (GX_DEFAULT_VISITS) */
    long budget; /* --budget: seconds the plan may take, shared by its steps; 0: none */
    int budget_default;
    struct gx_vary vary;
};

struct gx_options {
    struct gx_global_opts g;
    int nruns;
    struct gx_run_opts runs[GX_MAX_RUNS];
    int help;             /* 1: --help or -h, 2: --help-all */
    int version, dry_run;
    char list[16];        /* --list WHAT: the names for shell completion */
    int default_paths, default_axes_given; /* no --scenario, --path or --mem given */
    int gpu_default, map_off;             /* the GPU default run was set up; --map off */
    long assume_nodes, assume_per_node;   /* --dry-run for a layout other than this job's */
    int check, check_no_gpu; /* --check; check_no_gpu: not every rank sees a GPU */
    char no_gpu_why[256]; /* the default run's host run stood in: which rank lacks a GPU, and why
                           * where rank 0 does */
    char note[512];       /* what the command line did that a reader might not expect */
    int pairs_implied;    /* runs of collectives alone, no --pairs: given --pairs job */
};

#endif
