/* Path "mpi": MPI point-to-point directly on the buffers, host or device (CUDA-aware MPI).
 * Path "host" is the same mechanism with host memory as its default. */
#include "config.h"
#include "path.h"

#include "mem.h"
#include "mpi_util.h"

#include <stdlib.h>

#define GX_TAG_MPI_DATA 101

static int mpi_filter(struct gx_ep *ep, struct gx_err *why)
{
    int device_side = ep->src_kind == GX_MEM_DEVICE || ep->dst_kind == GX_MEM_DEVICE;
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
    GX_MPI_TRY(err, MPI_Waitall(n, r->req, MPI_STATUSES_IGNORE));
    return GX_OK;
}

static void mpi_close(struct gx_ep *ep)
{
    if (ep->priv)
        gx_requests_free(ep->priv);
    free(ep->priv);
    ep->priv = NULL;
}

/* Host buffers: MPI between the hosts is all there is. Device buffers: on one node the GPUs'
 * peer copy is the fastest any MPI could move them; across nodes, the hosts' MPI bandwidth. */
static double mpi_ceiling(const struct gx_ceilings *c, const struct gx_result *res, char *what,
                          size_t len)
{
    int pat = res->family;
    int device = gx_mem_on_gpu(gx_mem_lookup(res->src_mem)) ||
                 gx_mem_on_gpu(gx_mem_lookup(res->dst_mem));
    struct gx_ceil_stage s = {"MPI host bandwidth", GX_CEIL_MPI_BW, res->a, res->b, 1};
    if (pat == GX_FAMILY_LATENCY) {
        if (device) {
            snprintf(what, len, "no latency ceiling for device buffers");
            return 0;
        }
        s = (struct gx_ceil_stage){"MPI host latency", GX_CEIL_MPI_LAT, res->a, res->b, 1};
    } else if (device && res->same_node) {
        s = pat == GX_FAMILY_BOTH_WAYS
                ? (struct gx_ceil_stage){"peer copy both ways", GX_CEIL_PEER_BIDIR, res->a, res->b, 1}
                : (struct gx_ceil_stage){"peer copy", GX_CEIL_PEER, res->a, res->b, 1};
    } else if (pat == GX_FAMILY_BOTH_WAYS) {
        s = (struct gx_ceil_stage){"MPI host bandwidth both ways", GX_CEIL_MPI_BIBW, res->a,
                                   res->b, 1};
    }
    return gx_ceil_slowest(c, &s, 1, res->size, what, len);
}

static unsigned mpi_calibrates(int src_kind, int dst_kind)
{
    int device = gx_mem_on_gpu(src_kind) || gx_mem_on_gpu(dst_kind);
    return GX_CAL_MPI | (device ? GX_CAL_PEER : 0);
}

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
    .filter = mpi_filter,
    .open = mpi_open,
    .xfer = mpi_xfer,
    .close = mpi_close,
    .ceiling = mpi_ceiling,
    .calibrates = mpi_calibrates,
    .nominal_gbps = 50,
    .nominal_us = 10,
};

const struct gx_path_ops gx_path_host = {
    .name = "host",
    .what = "the mpi path with host memory (pageable unless --mem says otherwise)",
    .default_src = GX_MEM_PAGEABLE,
    .default_dst = GX_MEM_PAGEABLE,
    .filter = mpi_filter,
    .open = mpi_open,
    .xfer = mpi_xfer,
    .close = mpi_close,
    .ceiling = mpi_ceiling,
    .calibrates = mpi_calibrates,
    .nominal_gbps = 10,
    .nominal_us = 1,
};
