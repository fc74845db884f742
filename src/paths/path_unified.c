/* Paths "unified-prefetch" and "unified-demand": managed (unified) buffers on both sides,
 * moved by MPI on host-resident pages.
 *
 * prefetch: both sides prefetch their buffers to the host on a stream before MPI, the receiver
 *           prefetches the received buffer to its GPU after, and waits for it;
 * demand:   MPI works on the managed buffers as they are (the CPU faults the sender's pages
 *           over), and the receiver's kernel touches every page, faulting it back in.
 * Between timed iterations the sender's buffer is put back on its GPU, untimed, as if the
 * application had just produced it there; otherwise every message after the first would
 * start on the host and the migration would never be measured.
 * A CUDA-aware MPI may take managed buffers for device memory wherever their pages are (Open MPI
 * 4.1 copies them through its own host buffers with cuMemcpy): the "MPI" stage time shows what
 * that costs, and running with CUDA support off in MPI shows the difference. */
#include "config.h"

#include "cuda_util.h"
#include "gpu.h"
#include "kernels.h"
#include "mpi_util.h"
#include "mem.h"
#include "path.h"

#include <stdlib.h>

#define GX_TAG_UM 140

struct um_priv {
    cudaStream_t stream;
    size_t bytes; /* the message being measured: only its pages move between iterations */
    int no_discard; /* the driver refused a discard once: plain prefetches from then on */
    struct gx_requests reqs;
};

static int um_filter(struct gx_ep *ep, struct gx_err *why)
{
    if (!gx_mem_has(ep->src_kind, GX_MEM_MIGRATES) || !gx_mem_has(ep->dst_kind, GX_MEM_MIGRATES))
        return gx_fail(why, GX_ESKIP, "unified paths move managed memory; --mem must be managed");
    int managed = 0;
    GX_CUDA_TRY(why, cudaDeviceGetAttribute(&managed, cudaDevAttrConcurrentManagedAccess,
                                            ep->job->gpu));
    if (!managed)
        return gx_fail(why, GX_ESKIP, "GPU %d has no concurrent managed access (prefetch and "
                       "demand paging need it)", ep->job->gpu);
    return GX_OK;
}

static int um_open(struct gx_ep *ep, struct gx_err *err)
{
    if (ep->priv)
        return GX_OK;
    struct um_priv *p = calloc(1, sizeof *p);
    if (!p)
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    ep->priv = p;
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->stream, cudaStreamNonBlocking));
    return GX_OK;
}

static int prefetch(void *buf, size_t bytes, int to_gpu, int gpu, cudaStream_t s,
                    struct gx_err *err)
{
    struct cudaMemLocation loc = {.type = to_gpu ? cudaMemLocationTypeDevice
                                                 : cudaMemLocationTypeHost,
                                  .id = to_gpu ? gpu : 0};
    GX_CUDA_TRY(err, cudaMemPrefetchAsync(buf, bytes, loc, 0, s));
    return GX_OK;
}

/* The receive buffer's old contents are about to be overwritten: discarding them spares their
 * migration to the host, where the driver can (CUDA 13). */
static int discard_to_host(struct um_priv *p, void *buf, size_t bytes, struct gx_err *err)
{
#if CUDART_VERSION >= 13000
    if (!p->no_discard) {
        void *ptrs[1] = {buf};
        size_t sizes[1] = {bytes}, first[1] = {0};
        struct cudaMemLocation host = {.type = cudaMemLocationTypeHost, .id = 0};
        cudaError_t ce = cudaMemDiscardAndPrefetchBatchAsync(ptrs, sizes, 1, &host, first, 1, 0,
                                                             p->stream);
        if (ce == cudaSuccess)
            return GX_OK;
        if (ce != cudaErrorNotSupported && ce != cudaErrorInvalidValue)
            return gx_fail_cuda(err, ce, "cudaMemDiscardAndPrefetchBatchAsync", __FILE__, __LINE__);
        cudaGetLastError();
        p->no_discard = 1;
    }
#endif
    return prefetch(buf, bytes, 0, 0, p->stream, err);
}

static int um_prepare(struct gx_ep *ep, size_t bytes, struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    (void)err;
    p->bytes = bytes;
    return GX_OK;
}

static int um_between(struct gx_ep *ep, struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    GX_TRY(prefetch(ep->src, p->bytes ? p->bytes : ep->cap, 1, ep->job->gpu, p->stream, err));
    GX_CUDA_TRY(err, cudaStreamSynchronize(p->stream));
    return GX_OK;
}

static int um_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes, int demand,
                   struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    GX_TRY(gx_requests_reserve(&p->reqs, 2 * gx_mpi_pieces(bytes), err));
    MPI_Request *req = p->reqs.req;
    /* Stage indices as named in the ops tables below. */
    int st_mpi = demand ? 0 : 1, st_gpu = demand ? 1 : 2;
    /* One message at a time: each receive lands in host pages that must go back to the GPU
     * before the next message may overwrite them. */
    for (int m = 0; m < count; m++) {
        int n = 0;
        double t = MPI_Wtime();
        if (!demand) {
            /* The receive buffer goes to the host too: MPI writing into GPU-resident managed
             * pages would fault them over one by one instead of moving them in bulk. */
            if (dir & GX_DIR_SEND)
                GX_TRY(prefetch(ep->src, bytes, 0, ep->job->gpu, p->stream, err));
            if (dir & GX_DIR_RECV)
                GX_TRY(discard_to_host(p, ep->dst, bytes, err));
            GX_CUDA_TRY(err, cudaStreamSynchronize(p->stream));
            gx_stage_add(ep, 0, t);
            t = MPI_Wtime();
        }
        if (dir & GX_DIR_RECV)
            GX_TRY(gx_mpi_post(ep->dst, bytes, 0, ep->peer, GX_TAG_UM, ep->job->comm, req, &n, err));
        if (dir & GX_DIR_SEND)
            GX_TRY(gx_mpi_post(ep->src, bytes, 1, ep->peer, GX_TAG_UM, ep->job->comm, req, &n, err));
        GX_MPI_TRY(err, MPI_Waitall(n, req, MPI_STATUSES_IGNORE));
        gx_stage_add(ep, st_mpi, t);
        if (dir & GX_DIR_RECV) {
            t = MPI_Wtime();
            if (demand)
                GX_CUDA_TRY(err, gx_kernel_touch(ep->dst, bytes, 0, p->stream));
            else
                GX_TRY(prefetch(ep->dst, bytes, 1, ep->job->gpu, p->stream, err));
            GX_CUDA_TRY(err, cudaStreamSynchronize(p->stream));
            gx_stage_add(ep, st_gpu, t);
        }
    }
    return GX_OK;
}

static int um_xfer_prefetch(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                            struct gx_err *err)
{
    return um_xfer(ep, dir, count, bytes, 0, err);
}

static int um_xfer_demand(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                          struct gx_err *err)
{
    return um_xfer(ep, dir, count, bytes, 1, err);
}

static void um_close(struct gx_ep *ep)
{
    struct um_priv *p = ep->priv;
    if (!p)
        return;
    if (p->stream)
        cudaStreamDestroy(p->stream);
    gx_requests_free(&p->reqs);
    free(p);
    ep->priv = NULL;
}



/* Bounded by managed memory's own rates (the calibration's prefetches and fault-in on this
 * rank's GPU) and MPI host-to-host at the pair, rated at the chunk (a chunked pipeline moves
 * one chunk per stage; unchunked, the chunk is the message). Both ways: each GPU moves its own
 * send and its own receive, so each per-GPU stage counts twice against the total.
 * prefetch: the slowest of the sender's prefetch to the host, MPI, the receiver's prefetch to
 *   the GPU.
 * demand: the slowest of MPI and the receiver's kernel faulting the pages in. MPI here works on
 *   pages the CPU faults over as it touches them (the sender's from its GPU, the receiver's
 *   back from its GPU where the last message left them); that rate is not calibrated, so the
 *   MPI stage is host-to-host on resident pages, a bound MPI on faulting pages cannot pass. */
#define UM_BOTH(name, kind, at) {name " (both ways)", kind, at, 2}
static const struct gx_bound_rule um_prefetch_one_way[] = {
    {.at_chunk = 1, .nstages = 3,
     .stages = {{"prefetch to host", GX_CEIL_PREFETCH_HOST, GX_AT_INITIATOR, 1},
                {"MPI host-to-host", GX_CEIL_MPI_BW, GX_AT_PAIR, 1},
                {"prefetch to GPU", GX_CEIL_PREFETCH_GPU, GX_AT_PEER, 1}}},
};
static const struct gx_bound_rule um_prefetch_both_ways[] = {
    {.at_chunk = 1, .nstages = 5,
     .stages = {UM_BOTH("prefetch to host", GX_CEIL_PREFETCH_HOST, GX_AT_INITIATOR),
                UM_BOTH("prefetch to host", GX_CEIL_PREFETCH_HOST, GX_AT_PEER),
                {"MPI host-to-host both ways", GX_CEIL_MPI_BIBW, GX_AT_PAIR, 1},
                UM_BOTH("prefetch to GPU", GX_CEIL_PREFETCH_GPU, GX_AT_INITIATOR),
                UM_BOTH("prefetch to GPU", GX_CEIL_PREFETCH_GPU, GX_AT_PEER)}},
};
static const struct gx_bound_rule um_demand_one_way[] = {
    {.at_chunk = 1, .nstages = 2,
     .stages = {{"MPI host-to-host", GX_CEIL_MPI_BW, GX_AT_PAIR, 1},
                {"kernel faulting pages in", GX_CEIL_FAULT_IN, GX_AT_PEER, 1}}},
};
static const struct gx_bound_rule um_demand_both_ways[] = {
    {.at_chunk = 1, .nstages = 3,
     .stages = {{"MPI host-to-host both ways", GX_CEIL_MPI_BIBW, GX_AT_PAIR, 1},
                UM_BOTH("kernel faulting pages in", GX_CEIL_FAULT_IN, GX_AT_INITIATOR),
                UM_BOTH("kernel faulting pages in", GX_CEIL_FAULT_IN, GX_AT_PEER)}},
};

const struct gx_path_ops gx_path_unified_prefetch = {
    .name = "unified-prefetch",
    .stages = {"prefetch to host", "MPI", "prefetch to GPU", NULL},
    .what = "managed memory; cudaMemPrefetchAsync to the host before MPI (the receive buffer's "
            "old contents discarded, where the driver can) and to the GPU after",
    .default_src = GX_MEM_MANAGED,
    .default_dst = GX_MEM_MANAGED,
    .flags = GX_PATH_NEEDS_GPU,
    .filter = um_filter,
    .open = um_open,
    .prepare = um_prepare,
    .between = um_between,
    .xfer = um_xfer_prefetch,
    .close = um_close,
    .nominal_gbps = 1.5,
    .nominal_us = 200,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(um_prefetch_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(um_prefetch_both_ways)},
};

const struct gx_path_ops gx_path_unified_demand = {
    .name = "unified-demand",
    .stages = {"MPI on the pages where they are", "kernel faulting the pages in", NULL},
    .what = "managed memory; MPI on the pages as they are, the receiver's kernel faults them in",
    .default_src = GX_MEM_MANAGED,
    .default_dst = GX_MEM_MANAGED,
    .flags = GX_PATH_NEEDS_GPU,
    .filter = um_filter,
    .open = um_open,
    .prepare = um_prepare,
    .between = um_between,
    .xfer = um_xfer_demand,
    .close = um_close,
    .nominal_gbps = 3,
    .nominal_us = 200,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(um_demand_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(um_demand_both_ways)},
};
