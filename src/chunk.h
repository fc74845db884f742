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

#endif
