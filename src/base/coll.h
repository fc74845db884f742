/* Collectives: what each moves, by nccl-tests' definitions of algbw and busbw (docs/report.md). */
#ifndef GX_COLL_H
#define GX_COLL_H

#include <stddef.h>
#include <stdint.h>

enum gx_coll {
    GX_COLL_NONE, /* a pattern between pairs */
    GX_COLL_ALLREDUCE,
    GX_COLL_ALLGATHER,
    GX_COLL_REDUCE_SCATTER,
    GX_COLL_ALLTOALL,
    GX_COLL_BROADCAST,
    GX_COLL_COUNT
};

/* Reductions sum floats (as nccl-tests' default); the others move bytes. */
#define GX_COLL_FLOAT ((size_t)sizeof(float))

const char *gx_coll_name(enum gx_coll c);
/* By its name; GX_COLL_NONE for another or NULL. */
enum gx_coll gx_coll_of(const char *name);
/* Its elements' type as nccl-tests prints it: "float" for the reductions, else "int8". */
const char *gx_coll_type(enum gx_coll c);
/* nccl-tests' count: the elements of what each rank hands the call (of a rank's block where the
 * buffer splits, the whole where it does not). */
size_t gx_coll_count(enum gx_coll c, int nranks, size_t bytes);
int gx_coll_reduces(enum gx_coll c);
/* busbw = algbw x this: the share of the data each rank's busiest link carries in a ring. */
double gx_coll_busbw_factor(enum gx_coll c, int nranks);
/* The bytes a size measures: nccl-tests' size (the largest buffer), rounded down to a whole
 * number of elements (of 8-byte words in every rank's block where it splits), at least one. */
size_t gx_coll_bytes(enum gx_coll c, int nranks, size_t size);
/* One rank's block of a collective that splits its buffer among the ranks, else the whole. */
size_t gx_coll_block(enum gx_coll c, int nranks, size_t bytes);

/* 0..255 for element k of an iteration, the part every rank's value shares. */
static inline uint32_t gx_coll_base(uint32_t iter, uint64_t k)
{
    return ((uint32_t)k * 2654435761u ^ (uint32_t)(k >> 32) ^ iter * 40503u) >> 24;
}

/* Small integers, so that any sum of them is exact in a float: rank r's element k. */
static inline float gx_coll_value(uint32_t rank, uint32_t iter, uint64_t k)
{
    return (float)(gx_coll_base(iter, k) + rank);
}

/* The sum of gx_coll_value over ranks 0..n-1. */
static inline float gx_coll_sum(int nranks, uint32_t iter, uint64_t k)
{
    return (float)((double)gx_coll_base(iter, k) * nranks + (double)nranks * (nranks - 1) / 2);
}

#endif
