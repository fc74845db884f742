/* What the matrices and the transfer plan read of each result of the first pass (rank 0); later
 * --soak passes are not kept, so that memory stays flat. */
#ifndef GX_KEPT_H
#define GX_KEPT_H

#include "result.h"

#include <cjson/cJSON.h>
#include <stddef.h>

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
/* Orders the measurements: 0 when one matrix holds both. Chunks picked per pair are one
 * measurement whatever each pair picked. */
int gx_kept_key_cmp(const struct gx_kept *x, const struct gx_kept *y);
/* qsort of pointers into one array: by measurement, initiator, peer, then as measured. */
int gx_kept_pair_cmp(const void *p, const void *q);
/* What names k's matrix: "path", "pattern", "size", "unit", "mem" and its chunking. */
void gx_kept_add_measurement(cJSON *o, const struct gx_kept *k);
void gx_kept_add_mem(cJSON *o, const struct gx_kept *k);
void gx_kept_add_chunk(cJSON *o, const struct gx_kept *k);

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
extern const struct gx_view_ops gx_view_kept;

/* The transfer plan: per pair type and size class, the fastest path and the runner-up. How a
 * pair's GPUs connect ("NV18", "PXB", "X"; "" unknown): it sorts same-node pairs into
 * the plan's pair types. */
struct gx_pair_link {
    int a, b;
    char link[24];
};

/* The context's pairs and their links into *out (the caller frees it). */
struct gx_context;
int gx_pair_links(const struct gx_context *c, struct gx_pair_link **out, size_t *n);
/* One way of moving data at a row's size, summed over the pairs that measured it. */
struct gx_transfer_plan_way {
    const struct gx_kept *first; /* a result of it, for its names; NULL: no such way */
    double gbps_sum, eff_sum, line_sum;
    int n, neff, nline;
    int exceeded, within, unsound, noisy; /* pairs whose result says so */
};
/* A pair type, data location and size class: its best way and the best of another path. */
struct gx_transfer_plan_row {
    int pair_type, data, size_class;
    size_t size;                 /* the class's largest measured size */
    struct gx_transfer_plan_way best, runner_up;
};
struct gx_transfer_plan {
    struct gx_transfer_plan_row *rows;
    size_t n;
};

int gx_transfer_plan_make(struct gx_transfer_plan *p, const struct gx_kept *res, size_t nres,
                          const struct gx_pair_link *links, size_t nlinks);
extern const struct gx_view_ops gx_view_transfer_plan;
void gx_transfer_plan_free(void *state);

#endif
