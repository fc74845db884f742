/* What the matrices and the transfer plan read of each result of the first pass (rank 0); later
 * --soak passes are not kept, so that memory stays flat. */
#ifndef GX_KEPT_H
#define GX_KEPT_H

#include "context.h"
#include "links_store.h"
#include "pairs.h"
#include "result.h"
#include "slots.h"

#include <stddef.h>
#include <stdio.h>

/* Self-contained: names are indices into the static tables, nothing points into the result.
 * What a result that was not measured lacks is 0 (-1 for a kind). */
struct gx_kept {
    int path;               /* index into gx_paths */
    int src_kind, dst_kind;
    int pattern;            /* index into gx_pattern_table */
    int a, b, same_node;
    enum gx_state state;
    size_t size;
    size_t chunk;           /* 0: the path does not chunk */
    int depth;
    int chunk_choice;
    double median;
    double efficiency;
    int exceeded, within, unsound;
    unsigned noise;
    double ceiling;
    int ceiling_kind;       /* of the ceiling's slowest stage */
    double line_gbs, line_share;
    int line_kind;          /* of the route's narrowest link */
};

/* Where a result's message starts and ends. Moving host memory answers another question than
 * moving GPU memory (it leaves out the copies to and from the GPUs), so they never compete. */
enum gx_data { GX_DATA_GPU, GX_DATA_HOST, GX_DATA_MIXED, GX_DATA_COUNT };
enum gx_data gx_kept_data(const struct gx_kept *k);

struct gx_kept gx_kept_of(const struct gx_result *r);
/* Measured the same way: path, memory kinds, chunk and depth. */
int gx_kept_same_way(const struct gx_kept *x, const struct gx_kept *y);
/* A group's collective, not a pair's pattern. */
int gx_kept_collective(const struct gx_kept *k);
/* Orders the measurements: 0 when one matrix holds both. Chunks picked per pair are one
 * measurement whatever each pair picked. */
int gx_kept_key_cmp(const struct gx_kept *x, const struct gx_kept *y);
/* qsort of pointers into one array: by measurement, initiator, peer, then as measured. */
int gx_kept_pair_cmp(const void *p, const void *q);
/* What names k's matrix: "path", "pattern", "size", "unit", "mem" and its chunking. */
struct cJSON;
void gx_kept_add_measurement(struct cJSON *o, const struct gx_kept *k);
void gx_kept_add_mem(struct cJSON *o, const struct gx_kept *k);

/* Health findings from the kept results against their routes' line rates (line_health.c).
 * "Well below its siblings": under GX_BELOW_SIBLINGS of the median of the others measured alike
 * over the same kind of link at the same line rate, GX_SIBLINGS_MIN of them at least. The one
 * rule of the finding "below-siblings", the matrices' marks and the host links'. */
#define GX_BELOW_SIBLINGS 0.8
#define GX_SIBLINGS_MIN 2
/* The median of v (sorted in place); 0 with fewer than GX_SIBLINGS_MIN. */
double gx_siblings_median(double *v, size_t n);

int gx_kept_below_siblings(const struct gx_kept *kept, size_t n, const struct gx_kept *k);

/* The kept results' findings, and the rounds they were measured in. */
struct gx_view_ops;

/* The transfer plan: per pair type and size class, the fastest path and the runner-up; per
 * collective and group likewise (its busbw). How a
 * pair's GPUs connect ("NV18", "PXB", "X"; "" unknown): it sorts same-node pairs into
 * the plan's pair types. */
struct gx_pair_link {
    int a, b;
    char link[24];
};

/* The context's pairs and their links into *out (the caller frees it). */
int gx_pair_links(const struct gx_context *c, struct gx_pair_link **out, size_t *n);
/* One way of moving data at a row's size, summed over the pairs that measured it. */
struct gx_transfer_plan_way {
    const struct gx_kept *first; /* a result of it, for its names; NULL: no such way */
    double gbps_sum, eff_sum, line_sum;
    int n, neff, nline;
    int exceeded, within, unsound, noisy; /* pairs whose result says so */
};
/* A pair type (or a collective's group), data location, pattern (bw between pairs, or the
 * collective) and size class: its best way and the best of another path. */
struct gx_transfer_plan_row {
    int pair_type, data, pattern, size_class;
    size_t size;                 /* the class's largest measured size */
    struct gx_transfer_plan_way best, runner_up;
};
struct gx_transfer_plan {
    struct gx_transfer_plan_row *rows;
    size_t n;
};

int gx_transfer_plan_make(struct gx_transfer_plan *p, const struct gx_kept *res, size_t nres,
                          const struct gx_pair_link *links, size_t nlinks);
void gx_transfer_plan_free(void *state);

/* Pair matrices: per measurement the median of every ordered pair of ranks, where the results
 * cover them all; rank 0 only. */
/* The matrices as ranges of the results in an order that makes each matrix's rows one after the
 * other, written into the report row by row: rank 0 holds no matrix, even at thousands of
 * ranks. */
struct gx_matrix_range {
    size_t from, to;                /* in order[] */
    const struct gx_kept *first;    /* its earliest result */
};
struct gx_matrix_set {
    const struct gx_kept **order;   /* ok results between two of the ranks, by measurement */
    const struct gx_kept *kept;     /* every kept result (the siblings of a cell) */
    size_t nkept;
    struct gx_matrix_range *m;
    int nm, nranks;
};

/* The report's "matrices" elements: ctx is the set. */
struct gx_jstream;
int gx_matrices_fill(struct gx_jstream *w, int slot, void *ctx);
/* A cell well below its siblings over the same kind of link. */
#define GX_MATRIX_BELOW '<'
/* A cell whose median the machine disturbed: not the link's number, so never marked below. */
#define GX_MATRIX_DISTURBED '~'
#define GX_MATRIX_DISTURBED_LEGEND                                                           \
    "# ~: the machine disturbed this median (a rank waited for a CPU, a slow tail or a wide "  \
    "interval):\n#   not the link's number\n"
void gx_matrices_free(void *set);

/* One printer for the pair matrices and the layout's: cells by row (NAN where not measured),
 * their marks, and each cell's ranks and place in words ("2->3", "rail 1 node 0->2"). */
struct gx_matrix_grid {
    int rows, cols;
    const double *val;
    const char *mark;
    void (*cell)(const void *ctx, int a, int b, int *ra, int *rb, char *where, size_t len);
    const void *cell_ctx;
    int *legends_said; /* legends said once a table (NULL: each time) */
    /* The most SLOW lines, the slowest first (0: every one, in row order). */
    size_t most_slow;
    int gbs; /* the values are GB/s: small ones print in MB/s */
};
/* A value in `width` columns, a mark in place of its last gap; "-" for NAN. 1 where it printed
 * in MB/s. */
int gx_matrix_print_cell(FILE *out, int width, double v, char mark, int gbs);
/* The median of the cells that are not NAN; NAN where none is, or no memory. */
double gx_cells_median(const double *val, size_t cells);
/* A matrix wider than the table's columns prints in slices of columns. */
void gx_matrix_print_rows(FILE *out, const struct gx_matrix_grid *g);
/* The marks' legends, then the cells beyond --slow-pair x the median (latency: above median /
 * slow), a SLOW line each naming the ranks, their hosts, GPUs and NICs. */
void gx_matrix_print_tail(FILE *out, const struct gx_matrix_grid *g,
                          const struct gx_context *context, const char *unit, double slow,
                          const char *slow_what, const char *median_what);

/* Matrices over the job's layout, for the node schemes: per rail a node x node matrix, the rail
 * map (rail x ordered node pair) and per node a local rank matrix; with the slow cells and the
 * slow nodes named. Rank 0 only. One complete matrix of one view: its cells by row, NAN where
 * the view has no pair. */
struct gx_layout_matrix {
    const struct gx_kept *first; /* its measurement's earliest result the view places */
    const struct gx_layout *l;
    int view;                    /* GX_VIEW_RAILS, GX_VIEW_RAIL_MAP or GX_VIEW_NODE_LOCAL */
    int m;                       /* the rail (rails), the node (node local); 0 for the map */
    int rows, cols;
    double *val;
    char *mark;
};
struct gx_layout_matrix_set {
    struct gx_layout_matrix *m;  /* in the order their measurement first placed a result */
    size_t n;
    const struct gx_layout *l;
};


/* Collectives per node (--pairs node on several nodes): per path and memory kinds, each node's
 * group at the largest size, a node below --slow-pair x the other nodes' median marked and named
 * (the finding slow-node). Rank 0. */
void gx_layout_matrices_free(void *set);

/* The node's map of host links (the map-host run): per GPU, its host link measured alone both
 * ways by the ceilings' probes, against the link's line rate, a GPU well below its siblings
 * marked as the pair matrices mark a pair. Rank 0. */
enum gx_host_dir { GX_HOST_H2D, GX_HOST_D2H, GX_HOST_DIRS };

struct gx_host_row {
    int rank;
    char busid[32];                          /* "" unknown */
    double gbs[GX_HOST_DIRS];                /* the median; 0 when absent */
    unsigned noise[GX_HOST_DIRS];
    gx_sid absent[GX_HOST_DIRS];             /* why not measured, in the map's texts */
    double line_gbs;                         /* 0 unknown */
    int line_kind;                           /* -1 unknown */
    char line_what[96];                      /* "gen5 x16" */
};

struct gx_host_map {
    size_t size; /* the largest point */
    int n;
    struct gx_host_row *rows; /* by rank */
    struct gx_strpool texts;  /* the rows' reasons, each distinct one once */
};

void gx_host_map_free(void *map);
/* Whether row i's direction d is well below its siblings (kept.h's rule); their median
 * and count into *med and *count. */
int gx_host_map_below(const struct gx_host_map *m, int i, int d, double *med, int *count);

#endif
