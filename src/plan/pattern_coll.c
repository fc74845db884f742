/* Collectives over a group's ranks, two patterns a row of GX_COLLECTIVES (out of place and in
 * place): a sample is a window of them back to back (NCCL's, as nccl-tests times its
 * iterations) or one after a barrier (MPI's, as osu's), its time the members' mean; the value
 * is nccl-tests' busbw (algbw x the collective's factor). */
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

/* The pattern's calls are its own: they are told no more than the bytes and the window. */
#define GX_COLL_ITERATE(fn, ID, in_place)                                                     \
    static int fn(struct gx_ep *ep, size_t bytes, int window, double *seconds,                \
                  struct gx_err *err)                                                         \
    {                                                                                         \
        return coll_iterate(ep, GX_COLL_##ID, in_place, bytes, window, seconds, err);         \
    }
#define GX_COLL_CALLS(ID, ...)                                                                \
    GX_COLL_ITERATE(ID##_iterate, ID, 0)                                                      \
    GX_COLL_ITERATE(ID##_in_place_iterate, ID, 1)                                             \
    static double ID##_value(size_t bytes, int window, double seconds, int nranks)            \
    {                                                                                         \
        double algbw = (double)gx_coll_bytes(GX_COLL_##ID, nranks, bytes) * window / seconds; \
        return algbw / 1e9 * gx_coll_busbw_factor(GX_COLL_##ID, nranks);                      \
    }
GX_COLLECTIVES(GX_COLL_CALLS)

#define GX_COLL_PATTERN(ID, name_, what_, in_place_)                                          \
    {                                                                                         \
        .name = name_, .unit = "GB/s", .what = what_, .uses_window = GX_WINDOW_MESSAGES,      \
        .both_ways = 1, .family = GX_FAMILY_COLLECTIVE,                                       \
        .iterate = in_place_ ? ID##_in_place_iterate : ID##_iterate, .value = ID##_value,     \
        .coll = GX_COLL_##ID, .in_place = in_place_,                                          \
    }
#define GX_COLL_OUT_OF_PLACE(ID, name, sums, shape, root, busbw, what, ...)                   \
    [GX_COLL_##ID] = GX_COLL_PATTERN(ID, name, what, 0),
#define GX_COLL_IN_PLACE(ID, name, sums, shape, root, busbw, what, in_place_what, ...)        \
    [GX_COLL_##ID] = GX_COLL_PATTERN(ID, name "-inplace", in_place_what, 1),
const struct gx_pattern_ops gx_pattern_colls[2][GX_COLL_COUNT] = {
    {GX_COLLECTIVES(GX_COLL_OUT_OF_PLACE)},
    {GX_COLLECTIVES(GX_COLL_IN_PLACE)},
};
