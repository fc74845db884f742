#include "chunk.h"

void gx_chunk_plan_init(struct gx_chunk_plan *p, size_t bytes, size_t chunk, int depth, int count)
{
    p->bytes = bytes;
    p->chunk = chunk == 0 || chunk > bytes ? bytes : chunk;
    p->nchunks = bytes == 0 ? 0 : (bytes + p->chunk - 1) / p->chunk;
    size_t ops = p->nchunks * (size_t)(count > 0 ? count : 1);
    p->depth = depth < 1 ? 1 : depth;
    if (ops > 0 && (size_t)p->depth > ops)
        p->depth = (int)ops; /* slots that could never fill would only cost staging memory */
}

size_t gx_chunk_offset(const struct gx_chunk_plan *p, size_t i)
{
    return i * p->chunk;
}

size_t gx_chunk_length(const struct gx_chunk_plan *p, size_t i)
{
    size_t off = i * p->chunk;
    return p->bytes - off < p->chunk ? p->bytes - off : p->chunk;
}
