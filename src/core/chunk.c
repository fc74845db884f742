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

int gx_chunk_auto_candidates(size_t bytes, size_t *chunks, int *depths, int max)
{
    static const int depth_choices[] = {1, 2, 4};
    int n = 0;
    /* Below 64 KiB a chunk's copy costs more in launch and handshake than it could overlap. */
    for (size_t c = (size_t)64 << 10; c < bytes && c <= ((size_t)64 << 20); c *= 4)
        for (size_t d = 0; d < sizeof depth_choices / sizeof *depth_choices && n < max; d++) {
            chunks[n] = c;
            depths[n++] = depth_choices[d];
        }
    if (n < max && bytes > 0) {
        chunks[n] = bytes;
        depths[n++] = 1;
    }
    return n;
}
