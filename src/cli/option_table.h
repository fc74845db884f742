/* Options: one table drives the command line, --help and scenario keys; it fills the structs of
 * options.h, which the layers below read. */
#ifndef GX_OPTION_TABLE_H
#define GX_OPTION_TABLE_H

#include "options.h"

#include <stdio.h>

/* JSON type a scenario key must have. */
enum gx_opt_type { GX_T_STRING, GX_T_INT, GX_T_LIST, GX_T_FLAG };

/* What kind of number a value (or each item of a list value) is: the test of the one number
 * rule (tests/test_input.c) walks every option with one. */
enum gx_num_kind { GX_NUM_NONE, GX_NUM_INT, GX_NUM_BYTES, GX_NUM_RATIO };

/* Where --help lists an option, in this order: what a newcomer asks first (what to measure,
 * where the results go, how long it takes), then tuning and reliability; testing options only
 * in --help-all. */
enum gx_opt_group {
    GX_G_MEASURE, GX_G_OUTPUT, GX_G_TIME, GX_G_TUNING, GX_G_RELIABILITY, GX_G_INFO,
    GX_G_TESTING, GX_G_COUNT
};
extern const char *const gx_opt_group_title[GX_G_COUNT];
/* Groups --help leaves to --help-all. */
#define GX_G_FIRST_HIDDEN GX_G_TESTING

struct gx_option {
    const char *name;
    const char *arg;      /* NULL: a flag */
    int per_run;          /* may appear in a scenario run, and the command line overrides it */
    enum gx_opt_type type;
    /* The default as a value the option's setter parses (per-run options start from it), NULL
     * where the default is no single value; dflt_says, when set, is what --help says of the
     * default instead. Each appears once, after the help text. */
    const char *dflt;
    const char *dflt_says;
    const char *help;     /* --help's line: short (it is wrapped at 80 columns) */
    const char *more;     /* NULL, or the detail --help-all and the man page add */
    enum gx_opt_group group;
    int (*set)(struct gx_options *o, struct gx_run_opts *r, const char *value,
               struct gx_err *err);
    enum gx_num_kind num;
    /* GX_PATH_* flags (path.h) a path must have for the option to change what it measures
     * there (GX_PATH_CHUNKED: --chunk, --depth); 0: every path. Given for a run whose paths
     * lack them, it is said (gx_no_effect_notes), never quietly ignored. */
    unsigned path_needs;
    /* Its one-letter form (0: none): -h, and OSU Micro-Benchmarks' -m, -i and -x, which mean
     * the same there (osu's -m MAX alone is 1:MAX: short_value in options_parse.c). */
    char short_name;
    /* An old name still accepted on the command line and as a scenario key, the same option
     * (NULL: none): --help, the man page and completion give the name, and say the old one is
     * accepted, so that scripts and scenarios written for it keep working. */
    const char *alias;
};

extern const struct gx_option gx_option_table[];
/* The option named name, or whose old name (alias) it is; NULL: none. */
const struct gx_option *gx_option_find(const char *name);
/* op->set(o, r, v, err) on printable text only (gx_input_printable): every way a value comes
 * in (the command line, a scenario, the default run) goes through it. */
int gx_option_set(const struct gx_option *op, struct gx_options *o, struct gx_run_opts *r,
                  const char *v, struct gx_err *err);
/* A job-wide option that a scenario file may also set at its top level (e.g. soak); the
 * command line still overrides it. */
int gx_option_scenario_top(const struct gx_option *op);

void gx_run_defaults(struct gx_run_opts *r);
/* The budgets (--budget) of the default run: the host run (seconds in all on a small idle
 * machine) and the GPU run (its probes, and each result in GX_DEFAULT_VISITS visits of at
 * least GX_MIN_ITERS iterations each, which a smaller budget cannot keep: docs/options.md). */
#define GX_DEFAULT_BUDGET_HOST 10
#define GX_DEFAULT_BUDGET_GPU 70
/* --check's budget: a Slurm prolog delays the job it precedes, and a node check in
 * HealthCheckProgram runs on every node at an interval; the map of a node's GPUs, of fixed
 * iterations, fits it with room to spare on a node of 16 GPUs. */
#define GX_CHECK_BUDGET 60
/* The default run's sizes (default_run.c): 8 B for latency, and for bw one size per class
 * (sizes.c) up to xlarge: tiny 4K, small 64K, medium 1M, large 16M, xlarge 64M. The huge class
 * is left to --sizes: the unified paths are far slower than the copies, and a huge size of
 * theirs alone would take most of the first minute. */
#define GX_DEFAULT_LATENCY_SIZES "8"
#define GX_DEFAULT_BW_SIZES "4K,64K,1M,16M,64M"

/* The default run on GPUs: every path that moves GPU data; unless default_axes_given, a run of
 * latency at 8 B and one of bw at a size per size class. */
int gx_options_gpu_default(struct gx_options *o, struct gx_err *err);

/* The node's map, a part of the GPU default run (default_run.c) where the job has more than 2
 * GPUs on one node or several nodes: one size, the largest of the bandwidth run's (the xlarge
 * class); a window of GX_MAP_WINDOW messages, 256 MiB an iteration, the byte rule's own
 * (gx_default_window: the handshake under 1%), not the longer one of 20 ms that the time rule
 * gives p2p (90 messages, 6 GiB an iteration: 240 pairs of 16 GPUs would take minutes); exactly
 * GX_MAP_ITERS timed iterations, no stop rule and no ceiling probes (the cells are compared
 * with one another and with their links' line rates), so that the map's steps take no share of
 * the budget from the runs after them. Text, as the options' setters parse them. */
#define GX_MAP_SIZE "64M"
#define GX_MAP_WINDOW "4"
#define GX_MAP_ITERS "5"
/* The map's host links (run map-host): the ceiling probes that copy one GPU's whole message
 * from and into pinned host memory on its copy engine, as nvbandwidth's host_to_device and
 * device_to_host memcpy_ce (probe_gpu.c), GX_MAP_ITERS timed iterations of GX_MAP_WINDOW
 * messages of GX_MAP_HOST_SIZE, one stream: 64 MiB an iteration, as the pair map's p2p copies
 * 256. At 16 MiB, not the pair map's 64: each GPU is two groups of its own (a probe each), and
 * a group's buffers (pinned host and GPU memory on both ranks) cost more to set up than its
 * iterations, and on a node of many GPUs the map at 64 MiB would outlast its budget. The copy
 * engines are at their plateau from 16 MiB (docs/line-rates.md). */
#define GX_MAP_HOST_PROBES "host-to-device", "device-to-host"
#define GX_MAP_HOST_SIZE "16M"
/* Which map the GPU default run of more than 2 ranks gets (o->gpu_default, not --map off, no
 * --pairs): on one node its GPUs' (GX_MAP_NODE), on several nodes of as many ranks each the
 * node pairs' (GX_MAP_NODES), else none. */
enum { GX_MAP_NONE, GX_MAP_NODE, GX_MAP_NODES };
struct gx_layout;
int gx_options_gpu_map_kind(const struct gx_options *o, const struct gx_layout *layout);
/* Adds the map's runs before the default run's (so that the budget those leave is the default
 * run's alone): GX_MAP_NODE p2p bw over every ordered pair one at a time, and bibw over
 * bibw_pairs (an A:B list, one pair per kind of link: gx_map_bibw_pairs; NULL or "": none);
 * GX_MAP_NODES mpi bw over one pair per ordered node pair. */
int gx_options_gpu_map(struct gx_options *o, const struct gx_layout *layout,
                       const char *bibw_pairs, struct gx_err *err);
/* The map's both-ways pairs on one node: the first pair (lowest ranks) of each kind of link
 * between two ranks' GPUs (NV#, PIX, PXB, PHB, NODE, SYS), as each rank's topology names it
 * (gx_gpu_init must have run), into out as "A:B,C:D"; "" where none is known. Collective. */
struct gx_job;
int gx_map_bibw_pairs(const struct gx_job *job, char *out, size_t len, struct gx_err *err);

/* Parses argv; reads the scenario through text_of_scenario when --scenario is given (the
 * caller supplies the file contents so that only rank 0 touches the file system).
 * Errors are GX_EINPUT with a one-line message naming the option or file and key. */
typedef int (*gx_read_file_fn)(const char *path, char **text, struct gx_err *err, void *ctx);
int gx_options_parse(int argc, char **argv, struct gx_options *o, gx_read_file_fn read_file,
                     void *ctx, struct gx_err *err);

/* --timeout as the command line gives it, before MPI_Init (0: not given, or the line has an
 * error that the parse after MPI_Init reports): the limit of the start-up too, where a job of
 * many ranks may spend longer in MPI_Init than the default phase limit. Silent. */
long gx_options_early_timeout(int argc, char **argv);
/* Before MPI_Init, from the command line alone: why no CUDA context is wanted (its paths and
 * memory kinds need no GPU), or NULL where they may. */
const char *gx_options_early_no_gpu(int argc, char **argv);

/* --help, --help-all, --version or --list: rank 0 answers, nothing else is looked at. */
int gx_options_answer_only(const struct gx_options *o);

/* Checks what depends on the job: pairs against its layout (ranks and nodes), sizes against
 * the node's memory, which node_ranks ranks (this node's) share. */
struct gx_layout;
int gx_options_check_job(const struct gx_options *o, const struct gx_layout *layout,
                         int node_ranks, struct gx_err *err);
/* Rank 0, before measuring: one line naming the ranks that no pair of any run includes, and
 * why, when there are any (mpirun -np 3 with the default --pairs 0:1). */
struct gx_mplan;
void gx_idle_ranks_note(FILE *out, const struct gx_options *o, const struct gx_mplan *plan);
/* Rank 0, before measuring: for each option given to a run (struct gx_run_opts.given) none of
 * whose paths can use it (gx_option.path_needs), one line naming the option, those paths and
 * the paths that can, e.g. --chunk with --path host. */
void gx_no_effect_notes(FILE *out, const struct gx_options *o);
/* The bit of op in struct gx_run_opts.given. */
#define GX_OPTION_BIT(op) (1ULL << ((op) - gx_option_table))
/* Sizes against the GPU's memory (bytes, 0: unknown), which gpu_ranks ranks share: device
 * buffers of all of them must fit at once. */
int gx_options_check_gpu_memory(const struct gx_options *o, int gpu_ranks, double gpu_bytes,
                                struct gx_err *err);

/* --help (all 0) or --help-all (all 1): 80 columns at most. */
void gx_options_help(FILE *out, int all);
/* What the default of op is, in words ("" when it has none). */
const char *gx_option_default_text(const struct gx_option *op);
/* What --help and the man page say of op's old name: "--OLD, its old name, is accepted too" into
 * buf; "" when it has none. */
const char *gx_option_alias_text(const struct gx_option *op, char *buf, size_t len);
/* --list WHAT: the names a shell completes, one per line (completion/gpuxfer.bash). GX_EINPUT
 * for an unknown WHAT. */
int gx_options_list(FILE *out, const char *what, struct gx_err *err);
/* Texts of --help that the man page shares (src/cli/mangen.c). */
extern const char gx_help_usage[], gx_help_summary[];
/* Command lines with what each does: --help ends with them, the man page's EXAMPLES. */
struct gx_help_example {
    const char *command, *what;
};
extern const struct gx_help_example gx_help_examples[];

#endif
