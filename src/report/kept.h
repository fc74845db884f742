/* What the matrices and the transfer plan read of each result of the first pass (rank 0); later
 * --soak passes are not kept, so that memory stays flat. */
#ifndef GX_KEPT_H
#define GX_KEPT_H

#include "result.h"

#include <cjson/cJSON.h>

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

#endif
