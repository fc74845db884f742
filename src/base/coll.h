/* Collectives: what each moves, by nccl-tests' definitions of algbw and busbw (docs/report.md).
 * GX_COLLECTIVES is the one place a collective is described: its patterns, the paths' calls,
 * its buffers and validation, the report's count and type and the bound across nodes are made
 * from its row, X(ID, name, sums, shape, root, busbw, what, in_place_what, across,
 * nccl_in_place, nccl, mpi); docs/layout.md, "Adding a collective", says what each holds. A
 * test build adds rows of its own (tests/toy_collective.h, through GX_EXTRA_COLLECTIVE). */
#ifndef GX_COLL_H
#define GX_COLL_H

#include <stddef.h>
#include <stdint.h>

#ifdef GX_EXTRA_COLLECTIVE
#include GX_EXTRA_COLLECTIVE
#else
#define GX_EXTRA_COLLECTIVES(X)
#endif
#define GX_COLLECTIVES(X)                                                                     \
    X(ALLREDUCE, "allreduce", 1, GX_SHAPE_WHOLE, GX_ROOT_NONE, 2 * (n - 1) / n,               \
      "sum of every rank's floats to every rank; busbw = algbw x 2(n-1)/n",                   \
      "allreduce, the result over the input",                                                 \
      GX_ACROSS_TREE, 1, ncclAllReduce(in, out, count, type, ncclSum, comm, stream),          \
      MPI_Allreduce(send, out, count, type, MPI_SUM, comm))                                   \
    X(ALLGATHER, "allgather", 0, GX_SHAPE_IN_BLOCK, GX_ROOT_NONE, (n - 1) / n,                \
      "every rank's block to every rank; busbw = algbw x (n-1)/n",                            \
      "allgather, each rank's block already in its place of the output",                      \
      GX_ACROSS_RING, 1, ncclAllGather(in, out, count, type, comm, stream),                   \
      MPI_Allgather(send, count, type, out, count, type, comm))                               \
    X(REDUCE_SCATTER, "reduce-scatter", 1, GX_SHAPE_OUT_BLOCK, GX_ROOT_NONE, (n - 1) / n,     \
      "sum of every rank's floats, block i to rank i; busbw = algbw x (n-1)/n",               \
      "reduce-scatter, the result within the input",                                          \
      GX_ACROSS_RING, 1, ncclReduceScatter(in, out, count, type, ncclSum, comm, stream),      \
      MPI_Reduce_scatter_block(send, out, count, type, MPI_SUM, comm))                        \
    X(ALLTOALL, "alltoall", 0, GX_SHAPE_BLOCKS, GX_ROOT_NONE, (n - 1) / n,                    \
      "block j of every rank to rank j; busbw = algbw x (n-1)/n",                             \
      "alltoall, the output over the input",                                                  \
      GX_ACROSS_NIC, 0, nccl_alltoall(in, out, count, nranks, comm, stream),                  \
      MPI_Alltoall(send, count, type, out, count, type, comm))                                \
    X(BROADCAST, "broadcast", 0, GX_SHAPE_WHOLE, GX_ROOT_GIVES, 1,                            \
      "the group's first rank's buffer to every rank; busbw = algbw",                         \
      "broadcast, the first rank sending from its output buffer",                             \
      GX_ACROSS_RING, 1, ncclBroadcast(in, out, count, type, 0, comm, stream),                \
      MPI_Bcast(rank == 0 ? in : out, count, type, 0, comm))                                  \
    GX_EXTRA_COLLECTIVES(X)

#define GX_COLL_ENUM(ID, ...) GX_COLL_##ID,
enum gx_coll {
    GX_COLL_NONE, /* a pattern between pairs */
    GX_COLLECTIVES(GX_COLL_ENUM)
    GX_COLL_COUNT
};

/* Of n ranks, each with a buffer of S bytes (nccl-tests' size), in n blocks where it splits. */
enum gx_coll_shape {
    GX_SHAPE_WHOLE,     /* each gives its whole buffer and gets the whole result */
    GX_SHAPE_IN_BLOCK,  /* each gives one block, its place in the output, and gets them all */
    GX_SHAPE_OUT_BLOCK, /* each gives its whole buffer and gets its block of the result */
    GX_SHAPE_BLOCKS,    /* block j of each rank's buffer goes to rank j */
};
/* The group's first rank's part: none, its input alone given, or it alone getting the result. */
enum gx_coll_root { GX_ROOT_NONE, GX_ROOT_GIVES, GX_ROOT_GETS };
/* The bound across nodes (coll_bound.c): the ring's; one NIC's share; the ring's or a tree's. */
enum gx_coll_across { GX_ACROSS_RING, GX_ACROSS_NIC, GX_ACROSS_TREE };

struct gx_coll_row {
    const char *name;
    int sums, nccl_in_place;
    enum gx_coll_shape shape;
    enum gx_coll_root root;
    enum gx_coll_across across;
};
extern const struct gx_coll_row gx_coll_table[GX_COLL_COUNT];

/* Reductions sum floats (as nccl-tests' default); the others move bytes. */
#define GX_COLL_FLOAT ((size_t)sizeof(float))

/* By its name; GX_COLL_NONE for another or NULL. */
enum gx_coll gx_coll_of(const char *name);
/* Its elements' type as nccl-tests prints it: "float" for the sums, else "int8". */
const char *gx_coll_type(enum gx_coll c);
/* nccl-tests' count: the elements of what each rank hands the call (of a rank's block where the
 * buffer splits, the whole where it does not). */
size_t gx_coll_count(enum gx_coll c, int nranks, size_t bytes);
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
