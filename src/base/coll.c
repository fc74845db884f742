#include "coll.h"

#include <string.h>

#define GX_COLL_ROW(ID, name_, sums_, shape_, root_, busbw, what, in_place_what, across_,     \
                    nccl_in_place_, ...)                                                      \
    [GX_COLL_##ID] = {.name = name_, .sums = sums_, .nccl_in_place = nccl_in_place_,          \
                      .shape = shape_, .root = root_, .across = across_},
const struct gx_coll_row gx_coll_table[GX_COLL_COUNT] = {
    [GX_COLL_NONE] = {.name = ""},
    GX_COLLECTIVES(GX_COLL_ROW)
};

enum gx_coll gx_coll_of(const char *name)
{
    for (int c = GX_COLL_NONE + 1; name && c < GX_COLL_COUNT; c++)
        if (strcmp(name, gx_coll_table[c].name) == 0)
            return (enum gx_coll)c;
    return GX_COLL_NONE;
}

const char *gx_coll_type(enum gx_coll c)
{
    return gx_coll_table[c].sums ? "float" : "int8";
}

size_t gx_coll_count(enum gx_coll c, int nranks, size_t bytes)
{
    return gx_coll_block(c, nranks, bytes) / (gx_coll_table[c].sums ? GX_COLL_FLOAT : 1);
}

double gx_coll_busbw_factor(enum gx_coll c, int nranks)
{
    double n = nranks > 0 ? nranks : 1;
#define GX_COLL_FACTOR(ID, name, sums, shape, root, busbw, ...)                               \
    case GX_COLL_##ID:                                                                        \
        return busbw;
    switch (c) {
        GX_COLLECTIVES(GX_COLL_FACTOR)
    default:
        return 1;
    }
}

static int splits(enum gx_coll c)
{
    enum gx_coll_shape s = gx_coll_table[c].shape;
    return s == GX_SHAPE_IN_BLOCK || s == GX_SHAPE_OUT_BLOCK || s == GX_SHAPE_BLOCKS;
}

size_t gx_coll_bytes(enum gx_coll c, int nranks, size_t size)
{
    /* A block of 8-byte words: the GPU's pattern kernels read and write whole words. */
    size_t unit = splits(c) ? 8 * (size_t)(nranks > 0 ? nranks : 1)
                            : gx_coll_table[c].sums ? GX_COLL_FLOAT : 1;
    size_t bytes = size / unit * unit;
    return bytes ? bytes : unit;
}

size_t gx_coll_block(enum gx_coll c, int nranks, size_t bytes)
{
    return splits(c) && nranks > 0 ? bytes / (size_t)nranks : bytes;
}
