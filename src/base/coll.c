#include "coll.h"

#include <string.h>

static const char *const names[GX_COLL_COUNT] = {
    [GX_COLL_NONE] = "",
    [GX_COLL_ALLREDUCE] = "allreduce",
    [GX_COLL_ALLGATHER] = "allgather",
    [GX_COLL_REDUCE_SCATTER] = "reduce-scatter",
    [GX_COLL_ALLTOALL] = "alltoall",
    [GX_COLL_BROADCAST] = "broadcast",
};

const char *gx_coll_name(enum gx_coll c)
{
    return c >= 0 && c < GX_COLL_COUNT ? names[c] : "";
}

enum gx_coll gx_coll_of(const char *name)
{
    for (int c = GX_COLL_NONE + 1; name && c < GX_COLL_COUNT; c++)
        if (strcmp(name, names[c]) == 0)
            return (enum gx_coll)c;
    return GX_COLL_NONE;
}

const char *gx_coll_type(enum gx_coll c)
{
    return gx_coll_reduces(c) ? "float" : "int8";
}

size_t gx_coll_count(enum gx_coll c, int nranks, size_t bytes)
{
    return gx_coll_block(c, nranks, bytes) / (gx_coll_reduces(c) ? GX_COLL_FLOAT : 1);
}

int gx_coll_reduces(enum gx_coll c)
{
    return c == GX_COLL_ALLREDUCE || c == GX_COLL_REDUCE_SCATTER;
}

double gx_coll_busbw_factor(enum gx_coll c, int nranks)
{
    double n = nranks > 0 ? nranks : 1;
    switch (c) {
    case GX_COLL_ALLREDUCE:
        return 2 * (n - 1) / n;
    case GX_COLL_ALLGATHER:
    case GX_COLL_REDUCE_SCATTER:
    case GX_COLL_ALLTOALL:
        return (n - 1) / n;
    default:
        return 1;
    }
}

static int splits(enum gx_coll c)
{
    return c == GX_COLL_ALLGATHER || c == GX_COLL_REDUCE_SCATTER || c == GX_COLL_ALLTOALL;
}

size_t gx_coll_bytes(enum gx_coll c, int nranks, size_t size)
{
    /* A block of 8-byte words: the GPU's pattern kernels read and write whole words. */
    size_t unit = splits(c) ? 8 * (size_t)(nranks > 0 ? nranks : 1)
                            : c == GX_COLL_BROADCAST ? 1 : GX_COLL_FLOAT;
    size_t bytes = size / unit * unit;
    return bytes ? bytes : unit;
}

size_t gx_coll_block(enum gx_coll c, int nranks, size_t bytes)
{
    return splits(c) && nranks > 0 ? bytes / (size_t)nranks : bytes;
}
