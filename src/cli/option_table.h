/* Options: one table drives the command line, --help and scenario keys. */
#ifndef GX_OPTION_TABLE_H
#define GX_OPTION_TABLE_H

#include "options.h"

#include <stddef.h>
#include <stdio.h>

/* JSON type a scenario key must have. */
enum gx_opt_type { GX_T_STRING, GX_T_INT, GX_T_LIST, GX_T_FLAG };

/* What kind of number a value (or each list item) is: tests/test_input.c walks them. */
enum gx_num_kind { GX_NUM_NONE, GX_NUM_INT, GX_NUM_BYTES, GX_NUM_RATIO };

/* --help's sections, in order: what a newcomer asks first, then tuning and reliability. */
enum gx_opt_group {
    GX_G_MEASURE, GX_G_OUTPUT, GX_G_TIME, GX_G_TUNING, GX_G_RELIABILITY, GX_G_INFO,
    GX_G_TESTING, GX_G_COUNT
};
extern const char *const gx_opt_group_title[GX_G_COUNT];
#define GX_G_FIRST_HIDDEN GX_G_TESTING

struct gx_option {
    const char *name;
    const char *arg;      /* NULL: a flag */
    int per_run;          /* may appear in a scenario run, and the command line overrides it */
    enum gx_opt_type type;
    const char *dflt;      /* parsed by set; NULL where the default is no single value */
    const char *dflt_says; /* what --help says of the default instead */
    const char *help;     /* --help's line: short (it is wrapped at 80 columns) */
    const char *more;     /* NULL, or the detail --help-all and the man page add */
    enum gx_opt_group group;
    int (*set)(struct gx_options *o, struct gx_run_opts *r, const char *value,
               struct gx_err *err);
    size_t flag;          /* where set is NULL: the int of struct gx_options a flag sets to 1 */
    enum gx_num_kind num;
    /* GX_PATH_* flags it needs to matter on a path (0: any); elsewhere it is said, not ignored. */
    unsigned path_needs;
    char short_name;       /* 0: none; -m, -i, -x mean what they mean in OSU's */
    const char *alias;     /* an old name still accepted, so that old scripts keep working */
};

extern const struct gx_option gx_option_table[];
#define GX_FLAG(field) offsetof(struct gx_options, field)
/* The rows' setters (options_set.c); --vary OPTION=V1,V2[,...] (vary.c) reads each value by its
 * option's setter. */
#define GX_OPTION_SETTER(fn)                                                                  \
    int fn(struct gx_options *o, struct gx_run_opts *r, const char *v, struct gx_err *err)
GX_OPTION_SETTER(gx_set_vary); GX_OPTION_SETTER(gx_set_path); GX_OPTION_SETTER(gx_set_mem);
GX_OPTION_SETTER(gx_set_pattern); GX_OPTION_SETTER(gx_set_sizes); GX_OPTION_SETTER(gx_set_pairs);
GX_OPTION_SETTER(gx_set_map); GX_OPTION_SETTER(gx_set_scenario); GX_OPTION_SETTER(gx_set_name);
GX_OPTION_SETTER(gx_set_output); GX_OPTION_SETTER(gx_set_table); GX_OPTION_SETTER(gx_set_format);
GX_OPTION_SETTER(gx_set_iters); GX_OPTION_SETTER(gx_set_warmup); GX_OPTION_SETTER(gx_set_timeout);
GX_OPTION_SETTER(gx_set_visits); GX_OPTION_SETTER(gx_set_soak); GX_OPTION_SETTER(gx_set_budget);
GX_OPTION_SETTER(gx_set_precision); GX_OPTION_SETTER(gx_set_assume_nodes);
GX_OPTION_SETTER(gx_set_assume_per_node); GX_OPTION_SETTER(gx_set_chunk);
GX_OPTION_SETTER(gx_set_depth); GX_OPTION_SETTER(gx_set_window); GX_OPTION_SETTER(gx_set_ceilings);
GX_OPTION_SETTER(gx_set_bind); GX_OPTION_SETTER(gx_set_nccl_comm); GX_OPTION_SETTER(gx_set_gpu_map);
GX_OPTION_SETTER(gx_set_validate); GX_OPTION_SETTER(gx_set_check); GX_OPTION_SETTER(gx_set_expect);
GX_OPTION_SETTER(gx_set_slow_pair); GX_OPTION_SETTER(gx_set_help);
GX_OPTION_SETTER(gx_set_help_all); GX_OPTION_SETTER(gx_set_topology_xml);
GX_OPTION_SETTER(gx_set_fake_gpus); GX_OPTION_SETTER(gx_set_list);
/* After the runs are set: --vary path makes each run's paths the values, in their order. */
void gx_vary_runs(struct gx_options *o);
/* By name or alias; NULL: none. */
const struct gx_option *gx_option_find(const char *name);
/* op->set on printable text only: every way a value comes in goes through it. */
int gx_option_set(const struct gx_option *op, struct gx_options *o, struct gx_run_opts *r,
                  const char *v, struct gx_err *err);
/* A job-wide option a scenario may set at its top level; the command line overrides it. */
int gx_option_scenario_top(const struct gx_option *op);

struct gx_job;
struct gx_layout;
void gx_run_defaults(struct gx_run_opts *r);
/* The GPU run's budget is the least that gives each result its visits (docs/options.md). */
#define GX_DEFAULT_BUDGET_HOST 10
#define GX_DEFAULT_BUDGET_GPU 70
/* --check runs as a Slurm prolog or health check: short, yet room for a node of 16 GPUs. */
#define GX_CHECK_BUDGET 60
/* Up to xlarge: a huge size of the slow unified paths would take the first minute. */
#define GX_DEFAULT_LATENCY_SIZES "8"
#define GX_DEFAULT_BW_SIZES "4K,64K,1M,16M,64M"
/* The collectives': latency at 8 B to the plateau of busbw (nccl-tests' -b 8 -e 256M). */
#define GX_DEFAULT_COLL_SIZES "8,64K,1M,16M,64M,256M"

/* Told no paths: the GPU default run where every rank sees a GPU, else the host run, which says
 * why each rank has none in the report and rank 0's why under the table. Collective. */
int gx_options_default_run(struct gx_job *job, struct gx_options *o, struct gx_err *err);
/* This job's ranks on its nodes, or the nodes --assume-nodes plans for. */
int gx_options_layout(const struct gx_job *job, const struct gx_options *o,
                      struct gx_layout *layout, struct gx_err *err);
/* Runs of groups get the collectives and the paths that have them; patterns of the other kind
 * than the run's scheme are bad input. */
int gx_options_collective_defaults(struct gx_options *o, struct gx_err *err);

/* The node's map: the byte rule's window (p2p's time rule on 240 pairs would take minutes),
 * fixed iterations and no probes, so that it takes no budget from the runs after it. */
#define GX_MAP_SIZE "64M"
#define GX_MAP_WINDOW "4"
#define GX_MAP_ITERS "5"
/* Smaller: a GPU's groups cost more to set up, and copy engines plateau (docs/line-rates.md). */
#define GX_MAP_HOST_PROBES "host-to-device", "device-to-host"
#define GX_MAP_HOST_SIZE "16M"
/* The node's allreduce busbw: large enough for NCCL's plateau, one step of the map. */
#define GX_MAP_COLL_SIZE "256M"
/* Which map the GPU default run of more than 2 ranks gets. */
enum { GX_MAP_NONE, GX_MAP_NODE, GX_MAP_NODES };
struct gx_layout;
int gx_options_gpu_map_kind(const struct gx_options *o, const struct gx_layout *layout);
/* Adds the map's runs first, so that the budget they leave is the default run's alone. */
int gx_options_gpu_map(struct gx_options *o, const struct gx_layout *layout,
                       const char *bibw_pairs, struct gx_err *err);
/* The first pair of each kind of link between two GPUs, as "A:B,C:D". Collective. */
struct gx_job;
int gx_map_bibw_pairs(const struct gx_job *job, char *out, size_t len, struct gx_err *err);

/* read_file reads a scenario, so that only rank 0 touches the file system. */
typedef int (*gx_read_file_fn)(const char *path, char **text, struct gx_err *err, void *ctx);
int gx_options_parse(int argc, char **argv, struct gx_options *o, gx_read_file_fn read_file,
                     void *ctx, struct gx_err *err);

/* Before MPI_Init, silently (0: none): MPI_Init of many ranks may outlast the default limit. */
long gx_options_early_timeout(int argc, char **argv);
/* Before MPI_Init: why no CUDA context is wanted, or NULL where it may be. */
const char *gx_options_early_no_gpu(int argc, char **argv);

/* --help, --version or --list: rank 0 answers, nothing else is looked at. */
int gx_options_answer_only(const struct gx_options *o);

/* Pairs against the layout, sizes against the memory node_ranks ranks share. */
int gx_options_check_job(const struct gx_options *o, const struct gx_layout *layout,
                         int node_ranks, struct gx_err *err);
/* Run r's option NAME as an error names it: --NAME (the command line's), FILE: runs[r].NAME (its
 * scenario's: a scenario's runs are o->runs in its order) or "the default NAME". */
const char *gx_option_origin(const struct gx_options *o, int r, const char *name, char *buf,
                             size_t len);
/* Ranks that no pair includes (mpirun -np 3 with --pairs 0:1). */
struct gx_mplan;
void gx_idle_ranks_note(FILE *out, const struct gx_options *o, const struct gx_mplan *plan);
/* Options given to a run none of whose paths can use them (--chunk with --path host). */
void gx_no_effect_notes(FILE *out, const struct gx_options *o);
#define GX_OPTION_BIT(op) (1ULL << ((op) - gx_option_table))
/* Device buffers of the gpu_ranks ranks sharing a GPU must fit at once (gpu_bytes 0: unknown). */
int gx_options_check_gpu_memory(const struct gx_options *o, int gpu_ranks, double gpu_bytes,
                                struct gx_err *err);

/* --help or --help-all: 80 columns at most. */
void gx_options_help(FILE *out, int all);
/* --list WHAT: the names a shell completes (completion/gpuxfer.bash). */
int gx_options_list(FILE *out, const char *what, struct gx_err *err);
/* docs/options.md's table (gx-help --markdown). */
void gx_options_markdown(FILE *out);

#endif
