/* Cutting a message into chunks for pipelined paths. */
#ifndef GX_CHUNK_H
#define GX_CHUNK_H

#include "gx.h"

#include <stddef.h>

struct gx_chunk_plan {
    size_t bytes;   /* the message */
    size_t chunk;   /* bytes per chunk; the last one may be shorter */
    size_t nchunks; /* per message */
    int depth;      /* chunks in flight per side (ring slots) */
};

/* A chunk of 0 or larger than the message means one chunk; depth is at least 1 and never more
 * than the chunks of `count` messages. */
void gx_chunk_plan_init(struct gx_chunk_plan *p, size_t bytes, size_t chunk, int depth,
                        int count);
/* Chunk i of a message (0 <= i < nchunks). */
size_t gx_chunk_offset(const struct gx_chunk_plan *p, size_t i);
size_t gx_chunk_length(const struct gx_chunk_plan *p, size_t i);

/* A chunk for memory that migrates by pages (unified memory): a multiple of `page`, so that no
 * two chunks share a page (the driver rounds a prefetch out to whole pages), and below `block`
 * a power of two that divides it, at or above it a multiple of it, so that no chunk splits
 * more of the driver's migration blocks than it must. 0, or a chunk that rounds to the message
 * or beyond: the whole message. page and block are powers of two, page <= block. */
size_t gx_chunk_round_pages(size_t chunk, size_t bytes, size_t page, size_t block);

/* Which (chunk, depth) combinations are worth trying for `count` messages of `bytes` in flight
 * (a bw window): chunks from min_chunk up in steps of 4, below the message and at most max_chunk,
 * cut into at most max_pieces (0: any number), and the whole message as one chunk, each at every
 * depth. Depth counts chunks in flight across the messages, so it is capped at chunks x count
 * (the whole message at depth 2 pipelines a window's messages; for one message depth changes
 * nothing) and combinations the cap makes equal are tried once. A path declares the policy its
 * default search uses (gx_path_ops); --chunk auto uses gx_chunk_policy_auto, the exhaustive one. */
/* The policies' limits (chunk.c), which --help reads: the smallest chunk, the pipelined paths'
 * largest, their pieces at most and depths, and --chunk auto's largest and depths. */
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
/* The defaults paths declare: the whole message only (copy engines move one large copy at their
 * peak); and a short search around the chunks pipelined paths were measured best with. */
extern const struct gx_chunk_policy gx_chunk_policy_whole, gx_chunk_policy_pipelined;

#define GX_AUTO_MAX_CANDIDATES 24
/* The candidates for `count` messages of `bytes`, at the policy's depths or, when ndepths > 0,
 * at `depths` instead. Returns how many were written (at most max, the whole message last). */
int gx_chunk_candidates(const struct gx_chunk_policy *p, size_t bytes, long count,
                        const int *depths, int ndepths, size_t *chunks, int *cdepths, int max);

/* A candidate's quick measurement: its median and the 95% interval of it (gx_median_ci; a
 * point where one iteration is all there is). */
struct gx_cand_result {
    double median, lo, hi;
};

/* The search gx_measure_best makes over n candidates (chunks ascending, the whole message last, as
 * gx_chunk_candidates lists them): from the largest chunk down, every depth of a chunk, and no
 * smaller chunk once two chunks did no better than the best so far, with none better between them
 * (the measured curves rise to one peak: a chunk below it only costs more handshakes). A chunk does
 * no better when its best interval lies wholly on the worse side of the best's, each interval at
 * least tie (relative) to either side of its median; one whose interval overlaps the best's is a
 * tie and the walk goes on past it: on a plateau of chunks that quick measurements cannot tell
 * apart, a peak can still lie below (docs/paths.md, "Chunking"). tie is the precision the step asks
 * of its median: chunks closer than that are not told apart, and a candidate of one iteration
 * (under a budget) has no interval of its own. measure(i) measures candidate i; order[] gets the
 * candidates tried, in turn. Returns the number tried (<0: measure's error, in err) and the best in
 * *best. */
typedef int (*gx_cand_measure_fn)(int i, void *ctx, struct gx_cand_result *m, struct gx_err *err);
int gx_chunk_search(const size_t *chunks, int n, int lower_is_better, double tie,
                    gx_cand_measure_fn measure, void *ctx, int *best, int *order,
                    struct gx_err *err);

#endif
