/* Path "p2p": cudaMemcpyAsync into the peer's dst opened through CUDA IPC, on one node. A push
 * needs "ready" (else the data could land before the receiver's poison) and "done" (after the
 * sender synchronized its copies).
 * Latency up to GX_LL_MAX_BYTES is a ping-pong the GPUs make by themselves, timed on the
 * initiator's: a copy's launch and MPI tokens would be most of an 8-byte latency. One
 * persistent kernel per side (kernels/pingpong.cu) polls commands its host posts in pinned
 * memory, one per iteration, so that the hosts keep in step; the message travels as LL lines
 * (p2p_ll.h), the flag inside every 16-byte store, no fence per message. */
#include "config.h"
#include "tags.h"

#include "chunk.h"
#include "cuda_util.h"
#include "kernels.h"
#include "mem.h"
#include "p2p_ll.h"
#include "path.h"
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GX_P2P_MAX_STREAMS 64
/* Either half's wait for the other or its host; the host waits a little longer. */
#define GX_P2P_LL_LIMIT_NS 10000000000ull
#define GX_P2P_HOST_GRACE_S 5.0
/* Set: the initiator prints what it learnt of the GPU's timer and SM clock. */
#define GX_P2P_TIMER_ENV "GPUXFER_P2P_TIMER"

struct p2p_priv {
    cudaStream_t streams[GX_P2P_MAX_STREAMS];
    int nstreams;
    void *peer_dst;
    void *region;                 /* own LL region, written by the peer */
    void *peer_region;
    struct gx_ll_ctl *ctl;        /* pinned and mapped: commands to the kernel, its answers */
    struct gx_ll_ctl *ctl_dev;
    cudaStream_t ll_stream;
    int running;
    uint64_t seq;                 /* both sides count alike */
    int same_gpu;
};

static int p2p_filter(struct gx_ep *ep, struct gx_err *why)
{
    if (!gx_mem_has(ep->src_kind, GX_MEM_IPC_EXPORTABLE) ||
        !gx_mem_has(ep->dst_kind, GX_MEM_IPC_EXPORTABLE))
        return gx_fail(why, GX_ESKIP, "p2p moves device memory only (CUDA IPC exports cudaMalloc "
                       "buffers); --mem must be device");
    if (!ep->same_node)
        return gx_fail(why, GX_ESKIP,
                       "ranks %d and %d are on different nodes: CUDA IPC needs one node",
                       ep->job->rank, ep->peer);
    char mine[32] = "", theirs[32] = "";
    int rc = GX_OK;
    cudaError_t ce = cudaDeviceGetPCIBusId(mine, sizeof mine, ep->job->gpu);
    if (ce != cudaSuccess)
        rc = gx_fail_cuda(why, ce, "cudaDeviceGetPCIBusId", __FILE__, __LINE__);
    /* Even after a local failure, so that neither waits for the other. */
    GX_MPI_TRY(why, MPI_Sendrecv(mine, sizeof mine, MPI_CHAR, ep->peer, GX_TAG_P2P_BUSID, theirs,
                                 sizeof theirs, MPI_CHAR, ep->peer, GX_TAG_P2P_BUSID,
                                 ep->job->comm, MPI_STATUS_IGNORE));
    GX_TRY(rc);
    int peer_dev = -1, can = 0;
    if (cudaDeviceGetByPCIBusId(&peer_dev, theirs) != cudaSuccess) {
        cudaGetLastError();
        return gx_fail(why, GX_ESKIP,
                       "peer GPU %s is not visible to rank %d (CUDA_VISIBLE_DEVICES)", theirs,
                       ep->job->rank);
    }
    if (peer_dev == ep->job->gpu)
        return GX_OK; /* both ranks on one GPU: IPC within the device */
    GX_CUDA_TRY(why, cudaDeviceCanAccessPeer(&can, ep->job->gpu, peer_dev));
    if (!can)
        return gx_fail(why, GX_ESKIP, "no CUDA peer access from GPU %s to GPU %s", mine, theirs);
    return GX_OK;
}

static void close_peer(struct p2p_priv *p)
{
    if (p->peer_dst)
        cudaIpcCloseMemHandle(p->peer_dst);
    if (p->peer_region)
        cudaIpcCloseMemHandle(p->peer_region);
    p->peer_dst = NULL;
    p->peer_region = NULL;
}

/* Bounded: every wait in the kernel is. */
static int ll_stop(struct p2p_priv *p, struct gx_err *err)
{
    if (!p->running)
        return GX_OK;
    p->running = 0;
    __atomic_store_n(&p->ctl->cmd, GX_LL_STOP, __ATOMIC_RELEASE);
    GX_CUDA_TRY(err, cudaStreamSynchronize(p->ll_stream));
    return GX_OK;
}

/* Once for the path's life. */
static int ll_alloc(struct p2p_priv *p, struct gx_err *err)
{
    if (!p->region)
        GX_TRY(gx_mem_table[GX_MEM_DEVICE]->alloc(GX_LL_REGION_BYTES, &p->region, err));
    if (!p->ctl) {
        GX_CUDA_TRY(err, cudaHostAlloc((void **)&p->ctl, sizeof *p->ctl, cudaHostAllocMapped));
        memset(p->ctl, 0, sizeof *p->ctl);
    }
    if (!p->ctl_dev)
        GX_CUDA_TRY(err, cudaHostGetDevicePointer((void **)&p->ctl_dev, p->ctl, 0));
    if (!p->ll_stream)
        GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->ll_stream, cudaStreamNonBlocking));
    return GX_OK;
}

/* Both exchanges happen whatever fails locally, so that the peer never waits. */
static int p2p_open(struct gx_ep *ep, struct gx_err *err)
{
    struct p2p_priv *p = ep->priv;
    if (!p) {
        if (!(p = calloc(1, sizeof *p)))
            return gx_fail(err, GX_ERUNTIME, "out of host memory");
        ep->priv = p;
        /* Two ping-pong halves on one GPU would spin in turns, a time slice each. */
        p->same_gpu = gx_topo_shares_gpu(ep->job->topo, ep->peer);
    }
    int rc = ll_stop(p, err); /* finish stopped it; nothing may use the old mappings */
    close_peer(p);
    struct gx_err e_dst = {0}, e_ll = {0}, e_swap = {0};
    int rc_dst = gx_cuda_ipc_swap(ep->dst, ep->peer, ep->job->comm, GX_TAG_P2P_HANDLE,
                                  &p->peer_dst, &e_dst);
    int rc_ll = ll_alloc(p, &e_ll);
    int rc_swap = gx_cuda_ipc_swap(rc_ll == GX_OK ? p->region : NULL, ep->peer, ep->job->comm,
                                   GX_TAG_P2P_LL, &p->peer_region, &e_swap);
    const struct gx_err *first = rc_dst != GX_OK ? &e_dst : rc_ll != GX_OK ? &e_ll : &e_swap;
    int rc_first = rc_dst != GX_OK ? rc_dst : rc_ll != GX_OK ? rc_ll : rc_swap;
    if (rc == GX_OK && rc_first != GX_OK) {
        *err = *first;
        rc = rc_first;
    }
    return rc;
}

/* Both sides decide alike. */
static int ll_applies(const struct p2p_priv *p, size_t bytes)
{
    return !p->same_gpu && gx_ll_fits(bytes);
}

/* Zeroed so that no line holds a flag of the round trips, which count from 1 again: the peer's
 * kernel stopped before this exchange, and neither starts before both regions are zeroed. */
static int ll_reset(struct gx_ep *ep, struct p2p_priv *p, int rc, struct gx_err *err)
{
    if (rc == GX_OK)
        rc = ll_stop(p, err);
    int peer_rc = GX_OK;
    GX_MPI_TRY(err, MPI_Sendrecv(&rc, 1, MPI_INT, ep->peer, GX_TAG_P2P_RESET, &peer_rc, 1,
                                 MPI_INT, ep->peer, GX_TAG_P2P_RESET, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    GX_TRY(rc);
    if (!p->region || !p->peer_region || !p->ctl_dev || !p->ll_stream)
        return gx_fail(err, GX_ERUNTIME, "p2p ping-pong: the buffers of rank %d were never "
                       "opened (an earlier failure)", ep->job->rank);
    GX_CUDA_TRY(err, cudaMemsetAsync(p->region, 0, GX_LL_REGION_BYTES, p->ll_stream));
    GX_CUDA_TRY(err, cudaStreamSynchronize(p->ll_stream));
    memset(p->ctl, 0, sizeof *p->ctl);
    p->seq = 0;
    return GX_OK;
}

static int p2p_prepare(struct gx_ep *ep, size_t bytes, struct gx_err *err)
{
    struct p2p_priv *p = ep->priv;
    int want = ep->depth < 1 ? 1 : ep->depth > GX_P2P_MAX_STREAMS ? GX_P2P_MAX_STREAMS : ep->depth;
    int rc = GX_OK;
    while (rc == GX_OK && p->nstreams < want) {
        cudaError_t ce = cudaStreamCreateWithFlags(&p->streams[p->nstreams], cudaStreamNonBlocking);
        if (ce != cudaSuccess)
            rc = gx_fail_cuda(err, ce, "cudaStreamCreateWithFlags", __FILE__, __LINE__);
        else
            p->nstreams++;
    }
    return ll_applies(p, bytes) ? ll_reset(ep, p, rc, err) : rc;
}

static int push(struct gx_ep *ep, struct p2p_priv *p, int count, size_t bytes, struct gx_err *err)
{
    struct gx_chunking pl;
    gx_chunking_init(&pl, bytes, ep->chunk, ep->depth, count);
    int nstreams = pl.depth < p->nstreams ? pl.depth : p->nstreams;
    size_t op = 0;
    for (int m = 0; m < count; m++)
        for (size_t c = 0; c < pl.nchunks; c++, op++) {
            size_t off = gx_chunk_offset(&pl, c);
            GX_CUDA_TRY(err, cudaMemcpyAsync((char *)gx_ep_msg(ep, p->peer_dst, m) + off,
                                             (char *)gx_ep_src(ep, m) + off,
                                             gx_chunk_length(&pl, c), cudaMemcpyDeviceToDevice,
                                             p->streams[op % (size_t)nstreams]));
        }
    for (int s = 0; s < nstreams; s++)
        GX_CUDA_TRY(err, cudaStreamSynchronize(p->streams[s]));
    return GX_OK;
}

/* "done" carries the push's status: a failed push still answers, so that the peer won't wait. */
static int p2p_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                    struct gx_err *err)
{
    struct p2p_priv *p = ep->priv;
    MPI_Comm comm = ep->job->comm;
    int ready = 0, peer_ready = 0, done = GX_OK, peer_done = GX_OK;
    if (dir == GX_DIR_BOTH) {
        GX_MPI_TRY(err, MPI_Sendrecv(&ready, 1, MPI_INT, ep->peer, GX_TAG_P2P_READY, &peer_ready,
                                     1, MPI_INT, ep->peer, GX_TAG_P2P_READY, comm,
                                     MPI_STATUS_IGNORE));
        done = push(ep, p, count, bytes, err);
        GX_MPI_TRY(err, MPI_Sendrecv(&done, 1, MPI_INT, ep->peer, GX_TAG_P2P_DONE, &peer_done, 1,
                                     MPI_INT, ep->peer, GX_TAG_P2P_DONE, comm, MPI_STATUS_IGNORE));
    } else if (dir == GX_DIR_SEND) {
        GX_MPI_TRY(err, MPI_Recv(&peer_ready, 1, MPI_INT, ep->peer, GX_TAG_P2P_READY, comm,
                                 MPI_STATUS_IGNORE));
        done = push(ep, p, count, bytes, err);
        GX_MPI_TRY(err, MPI_Send(&done, 1, MPI_INT, ep->peer, GX_TAG_P2P_DONE, comm));
    } else {
        GX_MPI_TRY(err, MPI_Send(&ready, 1, MPI_INT, ep->peer, GX_TAG_P2P_READY, comm));
        GX_MPI_TRY(err, MPI_Recv(&peer_done, 1, MPI_INT, ep->peer, GX_TAG_P2P_DONE, comm,
                                 MPI_STATUS_IGNORE));
    }
    GX_TRY(done);
    if (peer_done != GX_OK)
        return gx_fail(err, GX_ERUNTIME, "p2p: rank %d failed to push its data", ep->peer);
    return GX_OK;
}

static const char *ll_why(uint64_t status)
{
    static const char *const why[] = {
        [GX_LL_STOPPED] = "its host stopped it (the measurement failed there)",
        [GX_LL_WAITED_HOST] = "it waited past the limit for its host",
        [GX_LL_WAITED_PEER] = "it waited past the limit for this rank's GPU",
        [GX_LL_PEER_LEFT] = "it saw this rank's kernel stop first",
        [GX_LL_BAD_DATA] = "the data it received differed from this rank's pattern",
    };
    return status < GX_ARRAY_LEN(why) && why[status] ? why[status] : "unknown";
}

static int ll_failure(struct gx_ep *ep, const struct gx_ll_ctl *c, uint64_t seq, size_t bytes,
                      struct gx_err *err)
{
    int me = ep->job->rank;
    double limit_s = GX_P2P_LL_LIMIT_NS / 1e9;
    unsigned long long n = (unsigned long long)seq;
    switch (c->status) {
    case GX_LL_BAD_DATA:
        return gx_fail(err, GX_ERUNTIME, "p2p ping-pong: round trip %llu: byte %llu of the %zu "
                       "bytes rank %d received from rank %d differs from the pattern", n,
                       (unsigned long long)c->bad_offset, bytes, me, ep->peer);
    case GX_LL_WAITED_PEER:
        return gx_fail(err, GX_ERUNTIME, "p2p ping-pong: round trip %llu: rank %d's GPU waited "
                       "%.0f s for rank %d's", n, me, limit_s, ep->peer);
    case GX_LL_WAITED_HOST:
        return gx_fail(err, GX_ERUNTIME, "p2p ping-pong: round trip %llu: rank %d's GPU waited "
                       "%.0f s for its host's command", n, me, limit_s);
    case GX_LL_PEER_LEFT:
        if (c->peer_status == GX_LL_BAD_DATA)
            return gx_fail(err, GX_ERUNTIME, "p2p ping-pong: round trip %llu: rank %d stopped "
                           "at its round trip %llu: byte %llu of the %zu bytes it received from "
                           "rank %d differs from the pattern", n, ep->peer,
                           (unsigned long long)c->peer_seq,
                           (unsigned long long)c->peer_offset, bytes, me);
        return gx_fail(err, GX_ERUNTIME, "p2p ping-pong: round trip %llu: rank %d's kernel "
                       "stopped at its round trip %llu: %s", n, ep->peer,
                       (unsigned long long)c->peer_seq, ll_why(c->peer_status));
    default:
        return gx_fail(err, GX_ERUNTIME, "p2p ping-pong: round trip %llu: rank %d's kernel "
                       "answered status %llu", n, me, (unsigned long long)c->status);
    }
}

/* Bounded: the kernel answers within its own limit, and one that is gone is noticed. */
static int ll_wait(struct gx_ep *ep, struct p2p_priv *p, uint64_t seq, struct gx_err *err)
{
    double t0 = MPI_Wtime();
    for (unsigned long spins = 1;
         __atomic_load_n(&p->ctl->done, __ATOMIC_ACQUIRE) < seq; spins++) {
        if (spins % 4096)
            continue;
        cudaError_t ce = cudaStreamQuery(p->ll_stream);
        if (ce != cudaSuccess && ce != cudaErrorNotReady)
            return gx_fail_cuda(err, ce, "the p2p ping-pong kernel", __FILE__, __LINE__);
        if (ce == cudaSuccess && __atomic_load_n(&p->ctl->done, __ATOMIC_ACQUIRE) < seq) {
            p->running = 0;
            return gx_fail(err, GX_ERUNTIME, "p2p ping-pong: rank %d's kernel returned before "
                           "round trip %llu", ep->job->rank, (unsigned long long)seq);
        }
        if (MPI_Wtime() - t0 > GX_P2P_LL_LIMIT_NS / 1e9 + GX_P2P_HOST_GRACE_S)
            return gx_fail(err, GX_ERUNTIME, "p2p ping-pong: rank %d's GPU did not answer round "
                           "trip %llu within %.0f s", ep->job->rank, (unsigned long long)seq,
                           GX_P2P_LL_LIMIT_NS / 1e9 + GX_P2P_HOST_GRACE_S);
    }
    return GX_OK;
}

static int p2p_roundtrip(struct gx_ep *ep, size_t bytes, double *seconds, struct gx_err *err)
{
    struct p2p_priv *p = ep->priv;
    if (!ll_applies(p, bytes))
        return GX_ESKIP;
    if (!p->running) {
        GX_CUDA_TRY(err, gx_kernel_ll_pingpong(p->ctl_dev, p->region, p->peer_region, ep->src,
                                               ep->dst, (uint32_t)ep->peer, ep->initiator,
                                               GX_P2P_LL_LIMIT_NS, p->ll_stream));
        p->running = 1;
    }
    struct gx_ll_ctl *c = p->ctl;
    uint64_t seq = ++p->seq;
    c->bytes = bytes;
    c->fill_iter = ep->src_iter;
    __atomic_store_n(&c->cmd, seq, __ATOMIC_RELEASE);
    GX_TRY(ll_wait(ep, p, seq, err));
    if (c->status != GX_LL_OK)
        return ll_failure(ep, c, seq, bytes, err);
    *seconds = ep->initiator ? gx_ll_seconds(c->cycles, c->span_ns, c->span_cycles) : 0;
    return GX_OK;
}

static void ll_show_timer(const struct gx_ep *ep, const struct p2p_priv *p)
{
    const struct gx_ll_ctl *c = p->ctl;
    if (!getenv(GX_P2P_TIMER_ENV) || !ep->initiator || !p->seq || !c->span_cycles)
        return;
    fprintf(stderr, "gpuxfer: rank %d: p2p ping-pong timer: %%globaltimer ticks by %llu ns; SM "
            "clock %.1f MHz against it over %.3f ms; %llu round trips\n", ep->job->rank,
            (unsigned long long)c->tick_ns, 1e3 * (double)c->span_cycles / (double)c->span_ns,
            (double)c->span_ns / 1e6, (unsigned long long)p->seq);
}

static int p2p_finish(struct gx_ep *ep, struct gx_err *err)
{
    struct p2p_priv *p = ep->priv;
    if (!p || !p->running)
        return GX_OK;
    GX_TRY(ll_stop(p, err));
    ll_show_timer(ep, p);
    return GX_OK;
}

static void p2p_close(struct gx_ep *ep)
{
    struct p2p_priv *p = ep->priv;
    struct gx_err ignored;
    (void)ll_stop(p, &ignored);
    close_peer(p);
    if (p->region)
        gx_mem_table[GX_MEM_DEVICE]->release(p->region);
    if (p->ctl)
        cudaFreeHost(p->ctl);
    if (p->ll_stream)
        cudaStreamDestroy(p->ll_stream);
    for (int s = 0; s < p->nstreams; s++)
        cudaStreamDestroy(p->streams[s]);
    free(p);
    ep->priv = NULL;
}

/* Without the handshakes, at the chunk: a copy's size changes its rate (docs/ceilings.md). */
static const struct gx_bound_rule p2p_one_way[] = {
    {.at_chunk = 1, .nstages = 1, .stages = {{"peer copy", GX_CEIL_PEER}}},
};
static const struct gx_bound_rule p2p_both_ways[] = {
    {.at_chunk = 1, .nstages = 1, .stages = {{"peer copy both ways", GX_CEIL_PEER_BIDIR}}},
};

const struct gx_path_ops gx_path_p2p = {
    .name = "p2p",
    .what = "GPU to GPU on one node: cudaMemcpyAsync into the peer's buffer opened by CUDA IPC "
            "(chunked over --depth streams); latency up to 64 KiB: a ping-pong between one "
            "persistent kernel per GPU, the flag inside every 16-byte store (NCCL's LL lines), "
            "each round trip's data checked and timed on the initiator's GPU",
    .default_src = GX_MEM_DEVICE,
    .default_dst = GX_MEM_DEVICE,
    .flags = GX_PATH_CHUNKED | GX_PATH_NEEDS_GPU | GX_PATH_MESSAGE_REGIONS,
    .filter = p2p_filter,
    .open = p2p_open,
    .prepare = p2p_prepare,
    .xfer = p2p_xfer,
    .roundtrip = p2p_roundtrip,
    .finish = p2p_finish,
    .close = p2p_close,
    .chunk_policy = &gx_chunk_policy_whole,
    .nominal_gbps = 300,
    .nominal_us = 8,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(p2p_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(p2p_both_ways)},
};
