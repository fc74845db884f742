/* Cutting a message into chunks for pipelined paths. */
#ifndef GX_CHUNK_H
#define GX_CHUNK_H

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

/* --chunk auto: the (chunk, depth) combinations worth trying for a message of `bytes`. Chunks
 * from 64 KiB up in steps of 4 below the message, and the whole message as one chunk; depths
 * 1, 2 and 4 where there is more than one chunk (with one chunk, depth changes nothing).
 * Returns how many were written (at most max). */
#define GX_AUTO_MAX_CANDIDATES 24
int gx_chunk_auto_candidates(size_t bytes, size_t *chunks, int *depths, int max);

#endif
