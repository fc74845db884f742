/* Path "p2p": GPU peer-to-peer between ranks of one node over CUDA IPC.
 *
 * Each rank exports its destination buffer with an IPC handle; the peer opens it once per
 * allocation and writes into it with cudaMemcpyAsync (copy engines, over NVLink or PCIe). A
 * push needs two MPI messages: "ready" (the receiver will not touch dst until it hears "done";
 * without it the sender could land data before the receiver's poison) and "done" (sent after
 * the sender synchronized its copies, so the data is complete in the receiver's memory).
 * Chunks are spread over --depth streams so that several copies can be in flight.
 *
 * Latency up to GX_P2P_PINGPONG_MAX is a round trip the two GPUs make by themselves
 * (kernels/pingpong.cu: SM stores into the peer's buffer and a flag word behind them), timed on
 * the initiator's GPU: the copy engine's launch and the MPI tokens, several microseconds each,
 * would otherwise be most of what an 8-byte latency measures. */
#include "config.h"

#include "chunk.h"
#include "cuda_util.h"
#include "gpu.h"
#include "kernels.h"
#include "mem.h"
#include "path.h"
#include "topo.h"

#include <stdlib.h>
#include <string.h>

#define GX_TAG_P2P_READY 120
#define GX_TAG_P2P_DONE 121
#define GX_TAG_P2P_HANDLE 122
#define GX_TAG_P2P_BUSID 123
#define GX_TAG_P2P_SIG 124
#define GX_P2P_MAX_STREAMS 64
/* Above this, one block's stores are slower than a copy engine. */
#define GX_P2P_PINGPONG_MAX ((size_t)64 << 10)
/* How long either half of a ping-pong waits for the other before it gives up. */
#define GX_P2P_PINGPONG_LIMIT_NS 10000000000ull

struct p2p_priv {
    cudaStream_t streams[GX_P2P_MAX_STREAMS];
    int nstreams;
    void *peer_dst;       /* the peer's dst, opened from its IPC handle */
    unsigned long long *sig;      /* own ping-pong flag words (enum gx_pingpong_sig) */
    unsigned long long *peer_sig; /* the peer's, opened from its IPC handle */
    unsigned long long seq;       /* round trips so far: both sides count alike */
    int same_gpu;                 /* both ranks on one GPU: no ping-pong between two GPUs */
};

static int p2p_filter(struct gx_ep *ep, struct gx_err *why)
{
    if (!gx_mem_has(ep->src_kind, GX_MEM_IPC_EXPORTABLE) ||
        !gx_mem_has(ep->dst_kind, GX_MEM_IPC_EXPORTABLE))
        return gx_fail(why, GX_ESKIP, "p2p moves device memory only (CUDA IPC exports cudaMalloc "
                       "buffers); --mem must be device");
    if (!ep->same_node)
        return gx_fail(why, GX_ESKIP, "ranks %d and %d are on different nodes: CUDA IPC needs one node",
                       ep->job->rank, ep->peer);
    char mine[32] = "", theirs[32] = "";
    int rc = GX_OK;
    cudaError_t ce = cudaDeviceGetPCIBusId(mine, sizeof mine, ep->job->gpu);
    if (ce != cudaSuccess)
        rc = gx_fail_cuda(why, ce, "cudaDeviceGetPCIBusId", __FILE__, __LINE__);
    /* Both sides exchange even after a local failure, so neither waits for the other. */
    GX_MPI_TRY(why, MPI_Sendrecv(mine, sizeof mine, MPI_CHAR, ep->peer, GX_TAG_P2P_BUSID, theirs,
                                 sizeof theirs, MPI_CHAR, ep->peer, GX_TAG_P2P_BUSID,
                                 ep->job->comm, MPI_STATUS_IGNORE));
    GX_TRY(rc);
    int peer_dev = -1, can = 0;
    if (cudaDeviceGetByPCIBusId(&peer_dev, theirs) != cudaSuccess) {
        cudaGetLastError();
        return gx_fail(why, GX_ESKIP, "peer GPU %s is not visible to rank %d (CUDA_VISIBLE_DEVICES)",
                       theirs, ep->job->rank);
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
    if (p->peer_sig)
        cudaIpcCloseMemHandle(p->peer_sig);
    p->peer_dst = NULL;
    p->peer_sig = NULL;
}

/* Exports `mine` and opens the peer's export of the same buffer; both sides exchange even
 * after a local failure, so neither waits for the other. */
static int swap_handles(struct gx_ep *ep, void *mine, int tag, void **theirs, struct gx_err *err)
{
    cudaIpcMemHandle_t h_mine, h_theirs;
    memset(&h_mine, 0, sizeof h_mine);
    int rc = GX_OK;
    cudaError_t ce = mine ? cudaIpcGetMemHandle(&h_mine, mine) : cudaErrorInvalidValue;
    if (ce != cudaSuccess)
        rc = gx_fail_cuda(err, ce, "cudaIpcGetMemHandle", __FILE__, __LINE__);
    GX_MPI_TRY(err, MPI_Sendrecv(&h_mine, sizeof h_mine, MPI_BYTE, ep->peer, tag, &h_theirs,
                                 sizeof h_theirs, MPI_BYTE, ep->peer, tag, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    GX_TRY(rc);
    GX_CUDA_TRY(err, cudaIpcOpenMemHandle(theirs, h_theirs, cudaIpcMemLazyEnablePeerAccess));
    return GX_OK;
}

/* The flag words live as long as the path: sequence numbers never repeat, so they need no
 * reset when the buffers are reallocated. */
static int open_sig(struct gx_ep *ep, struct p2p_priv *p, struct gx_err *err)
{
    cudaError_t ce = cudaSuccess;
    if (!p->sig) {
        ce = cudaMalloc((void **)&p->sig, GX_PP_WORDS * sizeof *p->sig);
        if (ce == cudaSuccess)
            ce = cudaMemset(p->sig, 0, GX_PP_WORDS * sizeof *p->sig);
        if (ce != cudaSuccess) {
            cudaFree(p->sig);
            p->sig = NULL;
        }
    }
    int rc = swap_handles(ep, p->sig, GX_TAG_P2P_SIG, (void **)&p->peer_sig, err);
    if (ce != cudaSuccess)
        rc = gx_fail_cuda(err, ce, "cudaMalloc (p2p flag words)", __FILE__, __LINE__);
    return rc;
}

/* After every (re)allocation: export dst, open the peer's (cached until the next one). */
static int p2p_open(struct gx_ep *ep, struct gx_err *err)
{
    struct p2p_priv *p = ep->priv;
    if (!p) {
        if (!(p = calloc(1, sizeof *p)))
            return gx_fail(err, GX_ERUNTIME, "out of host memory");
        ep->priv = p;
        /* Two ping-pong halves on one GPU would spin in turns, a time slice each. */
        const struct gx_topo_rank *t = ep->job->topo;
        for (int i = 0; t && i < t->nshared; i++)
            p->same_gpu |= t->shared_with[i] == ep->peer;
    }
    close_peer(p);
    GX_TRY(swap_handles(ep, ep->dst, GX_TAG_P2P_HANDLE, &p->peer_dst, err));
    return open_sig(ep, p, err);
}

static int p2p_prepare(struct gx_ep *ep, size_t bytes, struct gx_err *err)
{
    struct p2p_priv *p = ep->priv;
    (void)bytes;
    int want = ep->depth < 1 ? 1 : ep->depth > GX_P2P_MAX_STREAMS ? GX_P2P_MAX_STREAMS : ep->depth;
    while (p->nstreams < want) {
        GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->streams[p->nstreams], cudaStreamNonBlocking));
        p->nstreams++;
    }
    return GX_OK;
}

static int push(struct gx_ep *ep, struct p2p_priv *p, int count, size_t bytes, struct gx_err *err)
{
    struct gx_chunk_plan pl;
    gx_chunk_plan_init(&pl, bytes, ep->chunk, ep->depth, count);
    int nstreams = pl.depth < p->nstreams ? pl.depth : p->nstreams;
    size_t op = 0;
    for (int m = 0; m < count; m++)
        for (size_t c = 0; c < pl.nchunks; c++, op++) {
            size_t off = gx_chunk_offset(&pl, c);
            GX_CUDA_TRY(err, cudaMemcpyAsync((char *)p->peer_dst + off, (char *)ep->src + off,
                                             gx_chunk_length(&pl, c), cudaMemcpyDeviceToDevice,
                                             p->streams[op % (size_t)nstreams]));
        }
    for (int s = 0; s < nstreams; s++)
        GX_CUDA_TRY(err, cudaStreamSynchronize(p->streams[s]));
    return GX_OK;
}

/* The "done" token carries the pusher's status: a failed push still answers, so the peer
 * reports the failure instead of waiting forever. */
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

static int p2p_roundtrip(struct gx_ep *ep, size_t bytes, double *seconds, struct gx_err *err)
{
    struct p2p_priv *p = ep->priv;
    if (p->same_gpu || bytes > GX_P2P_PINGPONG_MAX || p->nstreams < 1)
        return GX_ESKIP;
    unsigned long long words[GX_PP_WORDS];
    p->seq++;
    GX_CUDA_TRY(err, gx_kernel_pingpong(p->peer_dst, ep->src, bytes, p->sig, p->peer_sig, p->seq,
                                        ep->initiator, GX_P2P_PINGPONG_LIMIT_NS, p->streams[0]));
    GX_CUDA_TRY(err, cudaMemcpyAsync(words, p->sig, sizeof words, cudaMemcpyDeviceToHost,
                                     p->streams[0]));
    GX_CUDA_TRY(err, cudaStreamSynchronize(p->streams[0]));
    if (words[GX_PP_TIMED_OUT])
        return gx_fail(err, GX_ERUNTIME, "p2p ping-pong: rank %d waited %.0f s for rank %d's half "
                       "of round trip %llu", ep->job->rank, GX_P2P_PINGPONG_LIMIT_NS / 1e9,
                       ep->peer, p->seq);
    *seconds = (double)words[GX_PP_ROUNDTRIP_NS] * 1e-9;
    return GX_OK;
}

static void p2p_close(struct gx_ep *ep)
{
    struct p2p_priv *p = ep->priv;
    if (!p)
        return;
    close_peer(p);
    if (p->sig)
        cudaFree(p->sig);
    for (int s = 0; s < p->nstreams; s++)
        cudaStreamDestroy(p->streams[s]);
    free(p);
    ep->priv = NULL;
}



/* Copy engines over the peer link: the same copies in one process are the limit. */
static const struct gx_bound_rule p2p_one_way[] = {
    {.nstages = 1, .stages = {{"peer copy", GX_CEIL_PEER, GX_AT_PAIR, 1}}},
};
static const struct gx_bound_rule p2p_both_ways[] = {
    {.nstages = 1, .stages = {{"peer copy both ways", GX_CEIL_PEER_BIDIR, GX_AT_PAIR, 1}}},
};

const struct gx_path_ops gx_path_p2p = {
    .name = "p2p",
    .what = "GPU to GPU on one node: cudaMemcpyAsync into the peer's buffer opened by CUDA IPC "
            "(chunked over --depth streams); latency up to 64 KiB: a ping-pong of SM stores and "
            "flags between the two GPUs, timed on the initiator's GPU",
    .default_src = GX_MEM_DEVICE,
    .default_dst = GX_MEM_DEVICE,
    .flags = GX_PATH_CHUNKED | GX_PATH_NEEDS_GPU,
    .filter = p2p_filter,
    .open = p2p_open,
    .prepare = p2p_prepare,
    .xfer = p2p_xfer,
    .roundtrip = p2p_roundtrip,
    .close = p2p_close,
    .chunk_policy = &gx_chunk_policy_whole,
    .nominal_gbps = 300,
    .nominal_us = 8,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(p2p_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(p2p_both_ways)},
};
