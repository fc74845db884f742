#ifndef GX_CHUNK_H
#define GX_CHUNK_H

#include "gx.h"

#include <stddef.h>

struct gx_chunking {
    size_t bytes;   /* the message */
    size_t chunk;   /* bytes per chunk; the last one may be shorter */
    size_t nchunks; /* per message */
    int depth;      /* chunks in flight per side (ring slots) */
};

/* A chunk of 0 or larger than the message means one chunk; depth is capped at the chunks. */
void gx_chunking_init(struct gx_chunking *p, size_t bytes, size_t chunk, int depth, int count);
size_t gx_chunk_offset(const struct gx_chunking *p, size_t i);
size_t gx_chunk_length(const struct gx_chunking *p, size_t i);

/* A chunk for memory that migrates by pages, so that no chunk splits more blocks than it must. */
size_t gx_chunk_round_pages(size_t chunk, size_t bytes, size_t page, size_t block);

/* Which (chunk, depth) combinations are worth trying: chunks a factor of 4 apart, and the whole. */
#define GX_CHUNK_MIN_KIB 64
#define GX_CHUNK_PIPELINED_MAX_MIB 16
#define GX_CHUNK_PIPELINED_PIECES 256
#define GX_CHUNK_PIPELINED_DEPTHS 2,4
#define GX_CHUNK_AUTO_MAX_MIB 64
#define GX_CHUNK_AUTO_DEPTHS 1,2,4
struct gx_chunk_policy {
    size_t min_chunk, max_chunk;  /* max_chunk 0: only the whole message */
    size_t max_pieces;
    int ndepths, depths[4];
};
extern const struct gx_chunk_policy gx_chunk_policy_auto;
/* The whole message only (copy engines are at their peak so); a search around the best chunks. */
extern const struct gx_chunk_policy gx_chunk_policy_whole, gx_chunk_policy_pipelined;

#define GX_AUTO_MAX_CANDIDATES 24
/* The candidates, at `depths` where ndepths > 0; at most max, the whole message last. */
int gx_chunk_candidates(const struct gx_chunk_policy *p, size_t bytes, long count,
                        const int *depths, int ndepths, size_t *chunks, int *cdepths, int max);

/* A candidate's quick measurement: its median and the 95% interval of it. */
struct gx_cand_result {
    double median, lo, hi;
};

/* The search: from the largest chunk down, every depth, until two chunks did clearly worse than
 * the best (ties within `tie` go on: a plateau may hide a peak). Returns how many were tried. */
typedef int (*gx_cand_measure_fn)(int i, void *ctx, struct gx_cand_result *m, struct gx_err *err);
int gx_chunk_search(const size_t *chunks, int n, int lower_is_better, double tie,
                    gx_cand_measure_fn measure, void *ctx, int *best, int *order,
                    struct gx_err *err);

/* The report's name of a chunk mode (enum gx_chunk_mode). */
const char *gx_chunk_choice_name(int choice);
/* Whether chunk and depth were picked among candidates, not given: each pair may have its own. */
int gx_chunk_picked(size_t chunk, int choice);

#endif
