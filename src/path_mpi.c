/* Path "mpi": MPI point-to-point directly on the buffers, host or device (CUDA-aware MPI).
 * Path "host" is the same mechanism with host memory as its default. */
#include "config.h"
#include "path.h"

#include <stdlib.h>

#define GX_TAG_MPI_DATA 101

/* MPI counts are ints: messages above this go as several pieces. */
#define PIECE ((size_t)1 << 30)

struct mpi_priv {
    MPI_Request *req;
    size_t nreq;
};

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
    struct mpi_priv *p = ep->priv;
    if (!p) {
        p = calloc(1, sizeof *p);
        if (!p)
            return gx_fail(err, GX_ERUNTIME, "out of host memory");
        ep->priv = p;
    }
    return GX_OK;
}

static int ensure_requests(struct mpi_priv *p, size_t n, struct gx_err *err)
{
    if (n <= p->nreq)
        return GX_OK;
    MPI_Request *r = realloc(p->req, n * sizeof *r);
    if (!r)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for %zu MPI requests", n);
    p->req = r;
    p->nreq = n;
    return GX_OK;
}

static int post(struct gx_ep *ep, int send, int count, size_t bytes, MPI_Request *req, int *nreq,
                struct gx_err *err)
{
    char *buf = send ? ep->src : ep->dst;
    for (int m = 0; m < count; m++)
        for (size_t off = 0; off < bytes; off += PIECE) {
            size_t len = bytes - off < PIECE ? bytes - off : PIECE;
            if (send)
                GX_MPI_TRY(err, MPI_Isend(buf + off, (int)len, MPI_BYTE, ep->peer,
                                          GX_TAG_MPI_DATA, ep->job->comm, &req[(*nreq)++]));
            else
                GX_MPI_TRY(err, MPI_Irecv(buf + off, (int)len, MPI_BYTE, ep->peer,
                                          GX_TAG_MPI_DATA, ep->job->comm, &req[(*nreq)++]));
        }
    return GX_OK;
}

static int mpi_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes, struct gx_err *err)
{
    struct mpi_priv *p = ep->priv;
    size_t pieces = (bytes + PIECE - 1) / PIECE;
    GX_TRY(ensure_requests(p, 2 * (size_t)count * pieces, err));
    int n = 0;
    /* Receives first, so that a peer's eager sends find them posted. */
    if (dir & GX_DIR_RECV)
        GX_TRY(post(ep, 0, count, bytes, p->req, &n, err));
    if (dir & GX_DIR_SEND)
        GX_TRY(post(ep, 1, count, bytes, p->req, &n, err));
    GX_MPI_TRY(err, MPI_Waitall(n, p->req, MPI_STATUSES_IGNORE));
    return GX_OK;
}

static void mpi_close(struct gx_ep *ep)
{
    struct mpi_priv *p = ep->priv;
    if (p)
        free(p->req);
    free(p);
    ep->priv = NULL;
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
};
