/* Collectives over a group's ranks: a sample is a window of them back to back (NCCL's, as
 * nccl-tests times its iterations) or one after a barrier (MPI's, as osu's), its time the
 * members' mean; the value is nccl-tests' busbw (algbw x the collective's factor). */
#include "pattern.h"

static int coll_iterate(struct gx_ep *ep, enum gx_coll c, int in_place, size_t bytes,
                        int window, double *seconds, struct gx_err *err)
{
    size_t n = gx_coll_bytes(c, ep->nranks, bytes);
    /* MPI's start together, as osu's; NCCL's run back to back on the stream, as nccl-tests'. */
    if (ep->ops->flags & GX_PATH_MPI_BUFFERS)
        GX_MPI_TRY(err, MPI_Barrier(ep->comm));
    double t0 = MPI_Wtime();
    GX_TRY(ep->ops->collective(ep, c, in_place, window, n, err));
    *seconds = MPI_Wtime() - t0;
    /* Each member's time, averaged, as both peers report it: the first rank alone may finish
     * early (a broadcast's root) or late. After the clock: never in the timed span. */
    GX_MPI_TRY(err, MPI_Allreduce(MPI_IN_PLACE, seconds, 1, MPI_DOUBLE, MPI_SUM, ep->comm));
    *seconds /= ep->nranks;
    return GX_OK;
}

#define GX_COLL_PATTERN(var, fn, name_, coll_, in_place_, what_)                              \
    static int fn##_iterate(struct gx_ep *ep, size_t bytes, int window, double *seconds,      \
                            struct gx_err *err)                                               \
    {                                                                                         \
        return coll_iterate(ep, coll_, in_place_, bytes, window, seconds, err);               \
    }                                                                                         \
    static double fn##_value(size_t bytes, int window, double seconds, int nranks)            \
    {                                                                                         \
        double algbw = (double)gx_coll_bytes(coll_, nranks, bytes) * window / seconds / 1e9;  \
        return algbw * gx_coll_busbw_factor(coll_, nranks);                                   \
    }                                                                                         \
    const struct gx_pattern_ops var = {                                                       \
        .name = name_,                                                                        \
        .unit = "GB/s",                                                                       \
        .what = what_,                                                                        \
        .uses_window = GX_WINDOW_MESSAGES,                                                    \
        .both_ways = 1,                                                                       \
        .family = GX_FAMILY_COLLECTIVE,                                                       \
        .iterate = fn##_iterate,                                                              \
        .value = fn##_value,                                                                  \
        .coll = coll_,                                                                        \
        .in_place = in_place_,                                                                \
    }

GX_COLL_PATTERN(gx_pattern_allreduce, allreduce, "allreduce", GX_COLL_ALLREDUCE, 0,
                "sum of every rank's floats to every rank; busbw = algbw x 2(n-1)/n");
GX_COLL_PATTERN(gx_pattern_allgather, allgather, "allgather", GX_COLL_ALLGATHER, 0,
                "every rank's block to every rank; busbw = algbw x (n-1)/n");
GX_COLL_PATTERN(gx_pattern_reduce_scatter, reduce_scatter, "reduce-scatter",
                GX_COLL_REDUCE_SCATTER, 0,
                "sum of every rank's floats, block i to rank i; busbw = algbw x (n-1)/n");
GX_COLL_PATTERN(gx_pattern_alltoall, alltoall, "alltoall", GX_COLL_ALLTOALL, 0,
                "block j of every rank to rank j; busbw = algbw x (n-1)/n");
GX_COLL_PATTERN(gx_pattern_broadcast, broadcast, "broadcast", GX_COLL_BROADCAST, 0,
                "the group's first rank's buffer to every rank; busbw = algbw");
GX_COLL_PATTERN(gx_pattern_allreduce_ip, allreduce_ip, "allreduce-inplace", GX_COLL_ALLREDUCE,
                1, "allreduce, the result over the input");
GX_COLL_PATTERN(gx_pattern_allgather_ip, allgather_ip, "allgather-inplace", GX_COLL_ALLGATHER,
                1, "allgather, each rank's block already in its place of the output");
GX_COLL_PATTERN(gx_pattern_reduce_scatter_ip, reduce_scatter_ip, "reduce-scatter-inplace",
                GX_COLL_REDUCE_SCATTER, 1, "reduce-scatter, the result within the input");
GX_COLL_PATTERN(gx_pattern_alltoall_ip, alltoall_ip, "alltoall-inplace", GX_COLL_ALLTOALL, 1,
                "alltoall, the output over the input");
GX_COLL_PATTERN(gx_pattern_broadcast_ip, broadcast_ip, "broadcast-inplace", GX_COLL_BROADCAST,
                1, "broadcast, the first rank sending from its output buffer");
