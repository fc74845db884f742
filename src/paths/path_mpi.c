/* Paths "mpi" and "host": MPI point-to-point directly on the buffers. */
#include "config.h"
#include "tags.h"
#include "path.h"

#include "coll_data.h"
#include "mem.h"
#include "mpi_util.h"
#include "mpilib.h"

#include <limits.h>
#include <stdlib.h>


static int mpi_filter(struct gx_ep *ep, struct gx_err *why)
{
    int device_side = gx_mem_has(ep->src_kind, GX_MEM_NEEDS_CUDA_AWARE) ||
                      gx_mem_has(ep->dst_kind, GX_MEM_NEEDS_CUDA_AWARE);
    if (device_side && !ep->job->cuda_aware)
        return gx_fail(why, GX_ESKIP,
                       "device buffers need a CUDA-aware MPI and this one is not (%s); "
                       "--assume-cuda-aware overrides",
                       ep->job->cuda_aware_why);
    return GX_OK;
}

static int mpi_open(struct gx_ep *ep, struct gx_err *err)
{
    if (!ep->priv && !(ep->priv = calloc(1, sizeof(struct gx_requests))))
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    return GX_OK;
}

static int mpi_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes, struct gx_err *err)
{
    /* A blocking call, as osu_latency makes it. */
    if (count == 1 && dir != GX_DIR_BOTH && gx_mpi_pieces(bytes) <= 1) {
        if (dir == GX_DIR_SEND)
            GX_MPI_TRY(err, MPI_Send(ep->src, (int)bytes, MPI_BYTE, ep->peer, GX_TAG_MPI_DATA,
                                     ep->job->comm));
        else
            GX_MPI_TRY(err, MPI_Recv(ep->dst, (int)bytes, MPI_BYTE, ep->peer, GX_TAG_MPI_DATA,
                                     ep->job->comm, MPI_STATUS_IGNORE));
        return GX_OK;
    }
    struct gx_requests *r = ep->priv;
    GX_TRY(gx_requests_reserve(r, 2 * (size_t)count * gx_mpi_pieces(bytes), err));
    int n = 0;
    /* Receives first, so that a peer's eager sends find them posted. */
    for (int m = 0; (dir & GX_DIR_RECV) && m < count; m++)
        GX_TRY(gx_mpi_post(ep->dst, bytes, 0, ep->peer, GX_TAG_MPI_DATA, ep->job->comm, r->req,
                           &n, err));
    for (int m = 0; (dir & GX_DIR_SEND) && m < count; m++)
        GX_TRY(gx_mpi_post(ep->src, bytes, 1, ep->peer, GX_TAG_MPI_DATA, ep->job->comm, r->req,
                           &n, err));
    GX_MPI_TRY(err, gx_mpi_waitall(n, r->req));
    return GX_OK;
}

/* Whether the library gets collective c wrong on device buffers: asked once a process (the
 * answer is the library's), so that the timed loop reads a flag. */
static int device_coll_defect(const struct gx_ep *ep, enum gx_coll c, int in_place,
                              struct gx_err *err)
{
    enum { UNASKED, MEASURED, DEFECT };
    static int answer[GX_COLL_COUNT][2];
    static char why[GX_COLL_COUNT][2][240];
    if (!gx_mem_has(ep->src_kind, GX_MEM_NEEDS_CUDA_AWARE))
        return GX_OK;
    in_place = !!in_place;
    if (answer[c][in_place] == UNASKED) {
        char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
        int n = 0;
        GX_MPI_TRY(err, MPI_Get_library_version(lib, &n));
        answer[c][in_place] = gx_mpilib_device_coll_defect(lib, gx_coll_table[c].name, in_place,
                                                           why[c][in_place],
                                                           sizeof why[c][in_place])
                                  ? DEFECT
                                  : MEASURED;
    }
    return answer[c][in_place] == DEFECT ? gx_fail(err, GX_ESKIP, "%s", why[c][in_place])
                                          : GX_OK;
}

/* Blocking collectives, as osu's collectives call them; MPI_IN_PLACE for the in-place ones; the
 * call is the collective's row's (coll.h). */
static int mpi_collective(struct gx_ep *ep, enum gx_coll c, int in_place, int times,
                          size_t bytes, struct gx_err *err)
{
    struct gx_coll_io io;
    gx_coll_io(ep, c, in_place, bytes, &io);
    if (bytes / (gx_coll_table[c].sums ? GX_COLL_FLOAT : 1) > INT_MAX)
        return gx_fail(err, GX_ESKIP, "%zu bytes are more elements than an MPI count holds",
                       bytes);
    GX_TRY(device_coll_defect(ep, c, in_place, err));
    void *in = io.in, *out = io.out, *send = in_place ? MPI_IN_PLACE : in;
    int count = (int)gx_coll_count(c, ep->nranks, bytes), rank = ep->grank;
    MPI_Datatype type = gx_coll_table[c].sums ? MPI_FLOAT : MPI_BYTE;
    MPI_Comm comm = ep->comm;
#define GX_COLL_MPI(ID, name, sums, shape, root, busbw, what, in_place_what, across,          \
                    nccl_in_place, nccl, mpi)                                                 \
    case GX_COLL_##ID:                                                                        \
        GX_MPI_TRY(err, mpi);                                                                 \
        break;
    for (int i = 0; i < times; i++) {
        switch (c) {
            GX_COLLECTIVES(GX_COLL_MPI)
        default:
            return gx_fail(err, GX_ERUNTIME, "no collective %d", (int)c);
        }
    }
    return GX_OK;
}

static void mpi_close(struct gx_ep *ep)
{
    gx_requests_free(ep->priv);
    free(ep->priv);
    ep->priv = NULL;
}

/* One node: shm-copy for host buffers, the peer copy for device ones (CUDA-aware MPI). */
static const struct gx_bound_rule mpi_latency[] = {
    {.when = GX_IF_GPU_MEM, .none = "no latency ceiling for device buffers"},
    {.when = GX_IF_SAME_NODE, .nstages = 1,
     .stages = {{"shared-memory round trip and copy", GX_CEIL_SHM_LAT}}},
    {.none = GX_NONE_ACROSS_NODES},
};
static const struct gx_bound_rule mpi_one_way[] = {
    {.when = GX_IF_GPU_MEM | GX_IF_SAME_NODE, .nstages = 1,
     .stages = {{"peer copy", GX_CEIL_PEER}}},
    {.when = GX_IF_SAME_NODE, .nstages = 1,
     .stages = {{"host memory copy through shared memory", GX_CEIL_SHM_COPY}}},
    {.none = GX_NONE_ACROSS_NODES},
};
static const struct gx_bound_rule mpi_both_ways[] = {
    {.when = GX_IF_GPU_MEM | GX_IF_SAME_NODE, .nstages = 1,
     .stages = {{"peer copy both ways", GX_CEIL_PEER_BIDIR}}},
    {.when = GX_IF_SAME_NODE, .nstages = 1,
     .stages = {{"host memory copy through shared memory both ways", GX_CEIL_SHM_COPY_BIDIR}}},
    {.none = GX_NONE_ACROSS_NODES},
};
#define MPI_OPS                                                                               \
    .flags = GX_PATH_MPI_BUFFERS, .filter = mpi_filter, .open = mpi_open, .xfer = mpi_xfer,   \
    .collective = mpi_collective, .close = mpi_close,                                         \
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(mpi_one_way),                                  \
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(mpi_both_ways),                              \
               [GX_FAMILY_LATENCY] = GX_BOUNDS(mpi_latency)}

const struct gx_path_ops gx_path_mpi = {
    .name = "mpi",
    .what = "MPI send/receive directly on the buffers (device buffers need a CUDA-aware MPI)",
#ifdef HAVE_CUDA
    .default_src = GX_MEM_DEVICE,
    .default_dst = GX_MEM_DEVICE,
#else
    .default_src = GX_MEM_PAGEABLE,
    .default_dst = GX_MEM_PAGEABLE,
#endif
    MPI_OPS,
    /* Lower, a large message's window would be one message, its rendezvous in the rate. */
    .nominal_gbps = 400,
    .nominal_us = 10,
};

const struct gx_path_ops gx_path_host = {
    .name = "host",
    .what = "the mpi path with host memory (pageable unless --mem says otherwise)",
    .default_src = GX_MEM_PAGEABLE,
    .default_dst = GX_MEM_PAGEABLE,
    MPI_OPS,
    .nominal_gbps = 10,
    .nominal_us = 1,
};
