/* The options as every layer reads them: what one run measures and what holds for the whole
 * job. Plain data below every layer that reads it; the table that fills it from the command
 * line and scenario files is the CLI's (option_table.h). */
#ifndef GX_OPTIONS_H
#define GX_OPTIONS_H

#include "gx.h"
#include "sizes.h"

#include <limits.h>

#define GX_MAX_RUNS 64
/* --visits: each result is measured in this many visits spread over the run (a step of exactly
 * --iters, and a ceiling probe, in one). A machine's own speed can move over seconds (on a
 * virtual machine too, docs/options.md), which one contiguous block of iterations cannot show
 * and a result spread over the run averages and measures. */
#define GX_MAX_VISITS 8
/* A step's visits sample the run's times: on a virtual machine whose virtual CPUs move among the
 * host's cores, the launch of a transfer changes speed every few seconds, and with 3 visits all
 * of one run's may fall at one speed and another run's at the other. That matters where a
 * message (or round trip) takes under GX_SHORT_MESSAGE_S as estimated, a few microseconds of
 * launch being a part of it; a step of longer messages is bound by its links or its page
 * faults, and is visited GX_LONG_STEP_VISITS times unless --visits says (more visits of long
 * iterations would put the default plan's least over its budget). */
#define GX_DEFAULT_VISITS 5
#define GX_LONG_STEP_VISITS 3
#define GX_SHORT_MESSAGE_US 100
#define GX_SHORT_MESSAGE_S (GX_SHORT_MESSAGE_US * 1e-6)
/* A ceiling probe's bound is its best iteration over its visits: more add set-up (its regions
 * are the largest buffers of the run), not a better bound. */
#define GX_PROBE_VISITS 3
#define GX_MAX_LIST 16
#define GX_MAX_GPU_MAP 64

/* --ceilings: the ceilings the results are rated against (on), or every ceiling the paths
 * name for the run's patterns at all its sizes (full). */
enum gx_ceilings_mode { GX_CEILINGS_OFF, GX_CEILINGS_ON, GX_CEILINGS_FULL };

/* --format: what rank 0 writes to stdout. */
enum gx_format {
    GX_FORMAT_TABLE, /* the table (docs/report.md, "The table") */
    GX_FORMAT_CSV,   /* a CSV header, then one line per result; the table goes to stderr */
};

enum gx_chunk_mode {
    GX_CHUNK_BEST,  /* default: the path's own candidates, the best one measured per size */
    GX_CHUNK_AUTO,  /* --chunk auto: every candidate of gx_chunk_policy_auto, the best one */
    GX_CHUNK_GIVEN, /* --chunk LIST and/or --depth LIST: exactly those combinations */
};

/* What one run measures: every path x pattern x pair x size (x chunk x depth). */
/* --nccl-comm: the communicator the nccl path measures a pair on. */
enum gx_nccl_comm { GX_NCCL_COMM_PAIR, GX_NCCL_COMM_JOB };
extern const char *const gx_nccl_comm_names[]; /* indexed by enum gx_nccl_comm */

struct gx_run_opts {
    char name[64];
    int npaths, paths[GX_MAX_LIST];       /* indices into gx_path_table */
    /* Indices into gx_probes that the run measures as its own (the node's map of host links:
     * default_run.c), each over the run's pairs, patterns and sizes; no option sets them. */
    int nprobes, probes[GX_MAX_LIST];
    int mem_src, mem_dst;                 /* enum gx_mem_kind or GX_MEM_DEFAULT */
    int npatterns, patterns[GX_MAX_PATTERNS];
    struct gx_size_list sizes;
    char pairs[256];                      /* resolved against the job layout by pairs.c */
    long iters, window;                   /* 0: size-dependent default */
    long warmup;                          /* -1: size-dependent default */
    enum gx_validate validate;
    /* Chunked paths: by default each path's own search (gx_path_ops.chunk_policy) picks the
     * best chunk and depth at each size; --chunk LIST and --depth LIST make them axes. */
    enum gx_chunk_mode chunk_mode;
    int nchunks;
    size_t chunks[GX_MAX_LIST];           /* chunk sizes; 0 means the whole message */
    int ndepths, depths[GX_MAX_LIST];     /* ndepths 0: not given */
    int ceilings;                         /* enum gx_ceilings_mode */
    /* A step (without --iters) stops once the 95% interval of its median lies within this
     * fraction of it (gx_median_precision), or when its share of the budget is spent. */
    double precision;
    /* The options the command line or the scenario gave this run (bit i: the option table's
     * entry i), so that one given where it has no effect can be said (options_check.c). */
    unsigned long long given;
};

/* --samples: raw samples kept in the document, all results together. The final write must end well
 * within the 1 to 2 s a launcher leaves between SIGTERM and SIGKILL (docs/reliability.md: what
 * printing a sample costs); the samples of a result that would pass this go to
 * <output>.samples.jsonl as it finishes, and the result refers to its line. */
#define GX_SAMPLES_INLINE 50000

struct gx_global_opts {
    char output[PATH_MAX];                /* empty: gx_out_path_default (out_path.h) */
    char table[PATH_MAX];                 /* --table: rank 0's stdout, or empty */
    char scenario[PATH_MAX];
    /* Rank 0: the file --scenario read (its real path) and the SHA-256 of its text. */
    char scenario_file[PATH_MAX], scenario_sha256[65];
    int quiet;
    int wide;                             /* --wide: every column of the table */
    int format;                           /* enum gx_format */
    int progress;                         /* --progress: the progress line even in a log */
    int allow_skip;                       /* a run that measured nothing still exits 0 */
    int fail_on_health;                   /* a health finding is exit 8 (a node check) */
    int samples;                          /* keep raw samples in the report */
    int assume_cuda_aware;
    /* topology and binding (topo.c) */
    int ngpu_map, gpu_map[GX_MAX_GPU_MAP]; /* --gpu-map: visible GPU of each node-local rank */
    int bind;                             /* enum gx_bind_policy */
    int nccl_comm;                        /* enum gx_nccl_comm: how nccl measures a pair */
    char topology_xml[PATH_MAX];          /* empty: the live machine (or GPUXFER_TOPOLOGY_XML) */
    char fake_gpus[1024];                 /* --fake-gpus: bus ids standing in for CUDA's list */
    double slow_pair;                     /* flag matrix pairs below this x the median */
    int force;                            /* overwrite an existing report */
    long timeout;                         /* seconds per measurement; 0: grows with the size */
    long soak;                            /* --soak: repeat the runs until this many seconds */
    long visits;                          /* --visits: 0 for the default (GX_DEFAULT_VISITS) */
    /* --budget: seconds the whole plan (ceiling probes included) may take, shared among its
     * steps; 0: none (each step ends on precision or at its iterations). The default run
     * has one of its own (GX_DEFAULT_BUDGET_*), and the GPU default run's map (runs of
     * exactly --iters, which no budget shortens) adds its own time to it (budget_default). */
    long budget;
    int budget_default;
};

struct gx_options {
    struct gx_global_opts g;
    int nruns;
    struct gx_run_opts runs[GX_MAX_RUNS];
    int help;             /* 1: --help or -h, 2: --help-all */
    int version, dry_run;
    char list[16];        /* --list WHAT: the names for shell completion */
    /* No --scenario, --path or --mem: where every rank sees a GPU, the GPU default run
     * (default_run.c) replaces the host run; default_axes_given: --pattern or --sizes given. */
    int default_paths, default_axes_given;
    /* The GPU default run was set up (gx_options_gpu_default made its latency and bandwidth
     * runs), and --map off: without the node's map (gx_options_gpu_map) on more than 2 GPUs. */
    int gpu_default, map_off;
    long assume_nodes, assume_per_node;   /* --dry-run for a layout other than this job's */
    /* --check: the node check, a preset of the GPU default run's map alone with
     * --fail-on-health and a last line PASS or FAIL (verdict.h); check_no_gpu: not every rank
     * sees a GPU, so the host run stood in and the check could not run (exit 7) unless a
     * finding (exit 8) says more. */
    int check, check_no_gpu;
    char check_why[256];  /* check_no_gpu: which rank lacks a GPU, and why where rank 0 does */
    /* What the command line did that a reader might not expect (an option given twice: the
     * last counts), for rank 0 to say on stderr; empty when nothing. */
    char note[512];
};

#endif
