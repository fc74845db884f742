/* Results apart from reporting: what the pair matrices and the transfer plan read of each
 * result, typed. The sink keeps one per result of the first pass (rank 0); later --soak passes
 * are not kept, so that memory stays flat. */
#ifndef GX_KEPT_H
#define GX_KEPT_H

#include "result.h"

#include <cjson/cJSON.h>

/* Self-contained: names are indices into the static tables, nothing points into the result. */
struct gx_kept {
    int path;               /* index into gx_paths */
    int src_kind, dst_kind; /* enum gx_mem_kind */
    int pattern;            /* index into gx_pattern_table */
    int a, b, same_node;    /* a: the initiator */
    enum gx_state state;
    size_t size;
    size_t chunk;           /* 0: the path does not chunk */
    int depth;              /* 0 when chunk is */
    int chunk_choice;       /* enum gx_chunk_mode, where the path chunks */
    double median;          /* of a measured result (GX_STATE_OK), else 0 */
    double efficiency;      /* against its ceiling; 0 when none rated it */
    int exceeded, within, unsound; /* its ceiling_exceeded, ceiling_within, ceiling_unsound */
    unsigned noise;         /* its noise marks (GX_NOISE_*) */
    double ceiling;         /* its ceiling (0: none) */
    int ceiling_kind;       /* enum gx_ceil_kind of the ceiling's slowest stage; -1 none */
    double line_gbs, line_share; /* its route's line rate and the median's share (0: unknown) */
    int line_kind;          /* enum gx_link_kind of the route's narrowest link; -1 unknown */
};

/* Where a result's message starts and ends. Moving host memory answers another question than
 * moving GPU memory (it leaves out the copies to and from the GPUs), so they never compete. */
enum gx_data { GX_DATA_GPU, GX_DATA_HOST, GX_DATA_MIXED, GX_DATA_COUNT };
enum gx_data gx_kept_data(const struct gx_kept *k);

/* What `r` says of itself, as kept. */
struct gx_kept gx_kept_of(const struct gx_result *r);
/* Measured the same way: path, memory kinds, chunk and depth. */
int gx_kept_same_way(const struct gx_kept *x, const struct gx_kept *y);
/* Whether k's chunk and depth were picked per pair among candidates (the default and --chunk
 * auto), not given. */
int gx_kept_chunk_chosen(const struct gx_kept *k);
/* Orders the measurements (path, memory kinds, chunk/depth as given, pattern, size): 0 when one
 * matrix holds both. Chunks picked per pair are one measurement whatever each pair picked: a
 * node or rail matrix of staged at 64K whose pairs picked different depths is still one. */
int gx_kept_key_cmp(const struct gx_kept *x, const struct gx_kept *y);
/* qsort of pointers to kept results of one array: by measurement, initiator, peer, then as
 * measured (of a pair measured twice the later result comes last). */
int gx_kept_pair_cmp(const void *p, const void *q);
/* Adds what names k's matrix: "path", "pattern", "size", "unit", "mem", and where its path
 * chunks "chunk" and "depth" as given, or "chunk_choice" where each pair picked its own. */
void gx_kept_add_measurement(cJSON *o, const struct gx_kept *k);
/* Adds k's "mem" object: "src" and "dst", the memory kinds' names. */
void gx_kept_add_mem(cJSON *o, const struct gx_kept *k);
/* Adds k's "chunk" and "depth" where its path chunks. */
void gx_kept_add_chunk(cJSON *o, const struct gx_kept *k);

#endif
