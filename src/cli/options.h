/* Options: one table drives the command line, --help and scenario-file keys. */
#ifndef GX_OPTIONS_H
#define GX_OPTIONS_H

#include "gx.h"
#include "sizes.h"

#include <limits.h>

#define GX_MAX_RUNS 64
#define GX_MAX_LIST 16
#define GX_MAX_GPU_MAP 64

/* --calibrate: the ceilings the results are rated against (on), or every ceiling the paths
 * name for the run's patterns at all its sizes (full). */
enum gx_calibrate_mode { GX_CALIBRATE_OFF, GX_CALIBRATE_ON, GX_CALIBRATE_FULL };

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
struct gx_run_opts {
    char name[64];
    int npaths, paths[GX_MAX_LIST];       /* indices into gx_path_table */
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
    int calibrate;                        /* enum gx_calibrate_mode */
};

struct gx_global_opts {
    char output[PATH_MAX];                /* empty: results/gpuxfer-<UTC>-<jobid|pid>.json */
    char scenario[PATH_MAX];
    int quiet;
    int format;                           /* enum gx_format */
    int progress;                         /* --progress: the progress line even in a log */
    int allow_skip;                       /* a run that measured nothing still exits 0 */
    int samples;                          /* keep raw samples in the report */
    int assume_cuda_aware;
    /* topology and binding (topo.c) */
    int ngpu_map, gpu_map[GX_MAX_GPU_MAP]; /* --gpu-map: visible GPU of each node-local rank */
    int bind;                             /* enum gx_bind_policy */
    char topology_xml[PATH_MAX];          /* empty: the live machine (or GPUXFER_TOPOLOGY_XML) */
    char fake_gpus[1024];                 /* --fake-gpus: bus ids standing in for CUDA's list */
    double slow_pair;                     /* flag matrix pairs below this x the median */
    int force;                            /* overwrite an existing report */
    long timeout;                         /* seconds per measurement; 0: grows with the size */
    long soak;                            /* --soak: repeat the runs until this many seconds */
};

struct gx_options {
    struct gx_global_opts g;
    int nruns;
    struct gx_run_opts runs[GX_MAX_RUNS];
    int help, version, dry_run;
    /* No --scenario, --path or --mem: where every rank sees a GPU, the GPU default run
     * (default_run.c) replaces the host run; default_axes_given: --pattern or --sizes given. */
    int default_paths, default_axes_given;
    long assume_nodes, assume_per_node;   /* --dry-run for a layout other than this job's */
};

/* JSON type a scenario key must have. */
enum gx_opt_type { GX_T_STRING, GX_T_INT, GX_T_LIST, GX_T_FLAG };

/* What kind of number a value (or each item of a list value) is: the test of the one number
 * rule (tests/test_input.c) walks every option with one. */
enum gx_num_kind { GX_NUM_NONE, GX_NUM_INT, GX_NUM_BYTES, GX_NUM_RATIO };

struct gx_option {
    const char *name;
    const char *arg;      /* NULL: a flag */
    int per_run;          /* may appear in a scenario run, and the command line overrides it */
    enum gx_opt_type type;
    const char *dflt;     /* shown by --help */
    const char *help;
    int (*set)(struct gx_options *o, struct gx_run_opts *r, const char *value,
               struct gx_err *err);
    enum gx_num_kind num;
};

extern const struct gx_option gx_option_table[];
const struct gx_option *gx_option_find(const char *name);
/* A job-wide option that a scenario file may also set at its top level (e.g. soak); the
 * command line still overrides it. */
int gx_option_scenario_top(const struct gx_option *op);

void gx_run_defaults(struct gx_run_opts *r);
/* The default run on GPUs: every path that moves GPU data; unless default_axes_given, a run of
 * latency at 8 B and one of bw at a size per size class. */
int gx_options_gpu_default(struct gx_options *o, struct gx_err *err);

/* Parses argv; reads the scenario through text_of_scenario when --scenario is given (the
 * caller supplies the file contents so that only rank 0 touches the file system).
 * Errors are GX_EINPUT with a one-line message naming the option or file and key. */
typedef int (*gx_read_file_fn)(const char *path, char **text, struct gx_err *err, void *ctx);
int gx_options_parse(int argc, char **argv, struct gx_options *o, gx_read_file_fn read_file,
                     void *ctx, struct gx_err *err);

/* Checks what depends on the job: pairs against its layout (ranks and nodes), sizes against
 * the node's memory, which node_ranks ranks (this node's) share. */
struct gx_layout;
int gx_options_check_job(const struct gx_options *o, const struct gx_layout *layout,
                         int node_ranks, struct gx_err *err);
/* Sizes against the GPU's memory (bytes, 0: unknown), which gpu_ranks ranks share: device
 * buffers of all of them must fit at once. */
int gx_options_check_gpu_memory(const struct gx_options *o, int gpu_ranks, double gpu_bytes,
                                struct gx_err *err);

void gx_options_help(FILE *out);
/* Texts of --help that the man page shares (src/cli/mangen.c). */
extern const char gx_help_usage[], gx_help_summary[], gx_help_exit_status[];

#endif
