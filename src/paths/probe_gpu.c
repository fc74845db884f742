/* The GPU's ceiling probes: each side runs its stage of one layer (gpu_stages below) and waits.
 * The ceiling is the best iteration, so schedules take turns and a slower one costs only
 * iterations:
 * - 1, 2 and GX_PROBE_MAX_STREAMS streams, as the paths' depths keep that many copies in flight,
 *   lest a path beat a probe on separate GPUs; at the HBM's limit two beat both one and four
 *   (docs/ceilings.md, "How the GPU probes run"). Managed pages take one: a second stream finds
 *   them moved. Each peer copy message has its own region: two streams on one buffer find each
 *   other's lines in L2;
 * - one way, in_turn probes alternate the sides at once with the receiver after the sender: on
 *   one GPU mapped kernels run faster one after the other, and a path lies between the two.
 *   Copy engines move both directions of a link undisturbed: at once only.
 * The peer copy goes into the peer's own dst through CUDA IPC, as p2p: a buffer of the probe's
 * own process on the peer's GPU is slower, and p2p would beat it. The host links' probes copy
 * on the sender's GPU alone, as nvbandwidth's memcpy_ce, without another GPU on the bridge. */
#include "config.h"
#include "probe.h"

#include "cuda_util.h"
#include "kernels.h"
#include "tags.h"

#include <stdlib.h>
#include <string.h>

/* The receiver must not start before the initiator's clock (GX_TAG_PROBE_GO); both ways, neither
 * ends before the other (GX_TAG_PROBE_DONE). */
static int probe_sync(const struct gx_ep *ep, enum gx_dir dir, int tag, struct gx_err *err)
{
    MPI_Comm comm = ep->job->comm;
    if (dir == GX_DIR_SEND)
        GX_MPI_TRY(err, MPI_Send(NULL, 0, MPI_BYTE, ep->peer, tag, comm));
    else if (dir == GX_DIR_RECV)
        GX_MPI_TRY(err, MPI_Recv(NULL, 0, MPI_BYTE, ep->peer, tag, comm, MPI_STATUS_IGNORE));
    else
        GX_MPI_TRY(err, MPI_Sendrecv(NULL, 0, MPI_BYTE, ep->peer, tag, NULL, 0, MPI_BYTE,
                                     ep->peer, tag, comm, MPI_STATUS_IGNORE));
    return GX_OK;
}

#define NEEDS_PINNED  0x1u /* host[0] the sender's D2H target, host[1] the receiver's source */
#define NEEDS_MAPPED  0x2u /* the same, mapped: kernels address them through host_dev */
#define NEEDS_PEER    0x4u /* the peer's dst, mapped through CUDA IPC */
#define NEEDS_SCRATCH 0x8u /* host memory the sender's CPU copies managed pages into */

/* Every depth of the paths' default candidates, a pair of iterations each. */
#define GX_PROBE_MAX_STREAMS 4
static const int peer_schedule[] = {1, 2, GX_PROBE_MAX_STREAMS};
struct gpu_stages;
struct gpu_state {
    const struct gpu_stages *st;
    cudaStream_t s[2][GX_PROBE_MAX_STREAMS]; /* [0] the sender's stage, [1] the receiver's */
    int nstreams;
    unsigned long calls;                 /* which schedule is next */
    void *host[2], *host_dev[2];
    size_t host_bytes; /* a region per stream */
    void *peer_dst;
    void *scratch;
    size_t bytes;
    int no_discard;
};

typedef int (*gpu_stage_fn)(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                            size_t bytes, const cudaStream_t *s, struct gx_err *err);
#define STREAM(s, m) ((s)[(m) % g->nstreams])
/* Its stream's own region where the buffer holds it, as a path's slots are their own. */
#define HOST_REGION(h, m, bytes)                                                              \
    ((char *)(h) + (((size_t)((m) % g->nstreams) + 1) * (bytes) <= g->host_bytes              \
                        ? (size_t)((m) % g->nstreams) * (bytes)                               \
                        : 0))
#define GX_PROBE_HOST_REGIONS_MAX ((size_t)256 << 20)
struct gpu_stages {
    const struct gx_path_ops *ops;
    unsigned needs;
    gpu_stage_fn send, recv;
    int in_turn;
    int streams; /* peer_schedule's, else one */
};
static const struct gpu_stages *stages_of(const struct gx_ep *ep);

/* By PCI bus id; both sides learn whether the other sees it (CUDA_VISIBLE_DEVICES). */
static int peer_device(struct gx_ep *ep, int *dev, struct gx_err *why)
{
    struct {
        char busid[32];
        int32_t sees;
    } mine = {{0}, 0}, theirs;
    GX_CUDA_TRY(why, cudaDeviceGetPCIBusId(mine.busid, (int)sizeof mine.busid, ep->job->gpu));
    for (int exchange = 0; exchange < 2; exchange++) {
        GX_MPI_TRY(why, MPI_Sendrecv(&mine, (int)sizeof mine, MPI_BYTE, ep->peer,
                                     GX_TAG_PROBE_SETUP, &theirs, (int)sizeof theirs, MPI_BYTE,
                                     ep->peer, GX_TAG_PROBE_SETUP, ep->job->comm,
                                     MPI_STATUS_IGNORE));
        if (exchange == 0) {
            theirs.busid[sizeof theirs.busid - 1] = '\0';
            mine.sees = cudaDeviceGetByPCIBusId(dev, theirs.busid) == cudaSuccess;
            if (!mine.sees)
                cudaGetLastError();
        }
    }
    if (!mine.sees)
        return gx_fail(why, GX_ESKIP, "rank %d cannot see rank %d's GPU %s in its process (the "
                       "peer copy needs both GPUs visible: CUDA_VISIBLE_DEVICES)", ep->job->rank,
                       ep->peer, theirs.busid);
    if (!theirs.sees)
        return gx_fail(why, GX_ESKIP, "rank %d cannot see rank %d's GPU in its process (the peer "
                       "copy needs both GPUs visible: CUDA_VISIBLE_DEVICES)", ep->peer,
                       ep->job->rank);
    return GX_OK;
}

static int peer_filter(struct gx_ep *ep, struct gx_err *why)
{
    int dev, can = 0;
    if (!ep->same_node)
        return gx_fail(why, GX_ESKIP, "ranks %d and %d are on different nodes: no peer copy",
                       ep->job->rank, ep->peer);
    GX_TRY(peer_device(ep, &dev, why));
    if (dev == ep->job->gpu)
        return GX_OK;
    GX_CUDA_TRY(why, cudaDeviceCanAccessPeer(&can, ep->job->gpu, dev));
    if (!can) /* CUDA IPC cannot map the peer's buffer: what crosses is the paths' staging */
        return gx_fail(why, GX_ESKIP, "no CUDA peer access from rank %d's GPU to rank %d's: no "
                       "peer copy", ep->job->rank, ep->peer);
    return GX_OK;
}

static int peer_send(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                     size_t bytes, const cudaStream_t *s, struct gx_err *err)
{
    /* As p2p: cudaMemcpyPeerAsync costs more on one GPU, and p2p beat it at small chunks. */
    int pieces = g->nstreams > count ? (g->nstreams + count - 1) / count : 1;
    size_t piece = (bytes + (size_t)pieces - 1) / (size_t)pieces;
    int k = 0;
    for (int m = m0; m < m0 + count; m++)
        for (size_t off = 0; off < bytes; off += piece, k++)
            GX_CUDA_TRY(err, cudaMemcpyAsync((char *)gx_ep_msg(ep, g->peer_dst, m) + off,
                                             (char *)gx_ep_src(ep, m) + off,
                                             bytes - off < piece ? bytes - off : piece,
                                             cudaMemcpyDefault, STREAM(s, k)));
    return GX_OK;
}

static int nothing(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                   size_t bytes, const cudaStream_t *s, struct gx_err *err)
{
    (void)ep, (void)g, (void)m0, (void)count, (void)bytes, (void)s, (void)err;
    return GX_OK;
}

/* copy-engines and mapped: host buffer i is the sender's 0 or the receiver's 1. */
static int host_move(const struct gpu_state *g, int i, void *gpu, size_t m, size_t bytes,
                     cudaStream_t s, struct gx_err *err)
{
    if (g->st->needs & NEEDS_MAPPED) {
        char *host = HOST_REGION(g->host_dev[i], m, bytes);
        GX_CUDA_TRY(err, i ? gx_kernel_copy(gpu, host, bytes, s)
                           : gx_kernel_copy(host, gpu, bytes, s));
    } else {
        char *host = HOST_REGION(g->host[i], m, bytes);
        GX_CUDA_TRY(err, i ? cudaMemcpyAsync(gpu, host, bytes, cudaMemcpyHostToDevice, s)
                           : cudaMemcpyAsync(host, gpu, bytes, cudaMemcpyDeviceToHost, s));
    }
    return GX_OK;
}

/* A stage that does one thing per message m, on m's stream. */
#define EACH_MESSAGE(fn, try_one)                                                             \
    static int fn(struct gx_ep *ep, struct gpu_state *g, int m0, int count, size_t bytes,     \
                  const cudaStream_t *s, struct gx_err *err)                                  \
    {                                                                                         \
        for (int m = m0; m < m0 + count; m++)                                                 \
            try_one;                                                                          \
        return GX_OK;                                                                         \
    }
EACH_MESSAGE(to_host, GX_TRY(host_move(g, 0, ep->src, (size_t)m, bytes, STREAM(s, m), err)))
EACH_MESSAGE(from_host, GX_TRY(host_move(g, 1, ep->dst, (size_t)m, bytes, STREAM(s, m), err)))
EACH_MESSAGE(own_copy, GX_CUDA_TRY(err, cudaMemcpyAsync(ep->dst, ep->src, bytes,
                                                        cudaMemcpyDefault, STREAM(s, m))))
EACH_MESSAGE(prefetch_send, GX_CUDA_TRY(err, gx_cuda_prefetch(gx_ep_src(ep, m), bytes, 0,
                                                              ep->job->gpu, STREAM(s, m))))
EACH_MESSAGE(prefetch_recv, GX_CUDA_TRY(err, gx_cuda_prefetch(gx_ep_dst(ep, m), bytes, 1,
                                                              ep->job->gpu, STREAM(s, m))))

static int faults_send(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                       size_t bytes, const cudaStream_t *s, struct gx_err *err)
{
    (void)s, (void)err;
    for (int m = m0; m < m0 + count; m++)
        memcpy(g->scratch, gx_ep_src(ep, m), bytes);
    __asm__ __volatile__("" : : "r"(g->scratch) : "memory");
    return GX_OK;
}

static int faults_recv(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                       size_t bytes, const cudaStream_t *s, struct gx_err *err)
{
    (void)g;
    for (int m = m0; m < m0 + count; m++) {
        memset(gx_ep_dst(ep, m), m & 0xff, bytes);
        GX_CUDA_TRY(err, gx_kernel_touch(gx_ep_dst(ep, m), bytes, s[0]));
        GX_CUDA_TRY(err, cudaStreamSynchronize(s[0]));
    }
    return GX_OK;
}

static void gpu_close(struct gx_ep *ep)
{
    struct gpu_state *g = ep->priv;
    if (!g)
        return;
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < GX_PROBE_MAX_STREAMS; k++)
            if (g->s[i][k])
                cudaStreamDestroy(g->s[i][k]);
        if (g->host[i])
            cudaFreeHost(g->host[i]);
    }
    if (g->peer_dst)
        cudaIpcCloseMemHandle(g->peer_dst);
    free(g->scratch);
    cudaGetLastError();
    free(g);
    ep->priv = NULL;
}

/* A region per stream where they fit, else one for all. */
static size_t host_region_bytes(int streams, size_t cap)
{
    return streams && GX_PROBE_MAX_STREAMS * cap <= GX_PROBE_HOST_REGIONS_MAX
               ? GX_PROBE_MAX_STREAMS * cap
               : cap;
}

/* host[0] and host[1], of the probes that stage through them (each has streams). */
static size_t staging_pinned(size_t largest) { return 2 * host_region_bytes(1, largest); }

static int gpu_open(struct gx_ep *ep, struct gx_err *err)
{
    gpu_close(ep);
    struct gpu_state *g = calloc(1, sizeof *g);
    if (!g)
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    ep->priv = g;
    const struct gpu_stages *pr = g->st = stages_of(ep);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < (pr->streams ? GX_PROBE_MAX_STREAMS : 1); k++)
            GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&g->s[i][k], cudaStreamNonBlocking));
    g->host_bytes = host_region_bytes(pr->streams, ep->cap);
    for (int i = 0; i < 2 && (pr->needs & (NEEDS_PINNED | NEEDS_MAPPED)); i++) {
        unsigned flags = pr->needs & NEEDS_MAPPED ? cudaHostAllocMapped : cudaHostAllocDefault;
        GX_CUDA_TRY(err, cudaHostAlloc(&g->host[i], g->host_bytes, flags));
        memset(g->host[i], 0x5a, g->host_bytes);
        if (pr->needs & NEEDS_MAPPED)
            GX_CUDA_TRY(err, cudaHostGetDevicePointer(&g->host_dev[i], g->host[i], 0));
    }
    if ((pr->needs & NEEDS_SCRATCH) && !(g->scratch = malloc(ep->cap)))
        return gx_fail(err, GX_ESKIP, "out of host memory for %zu bytes", ep->cap);
    if (pr->needs & NEEDS_PEER)
        GX_TRY(gx_cuda_ipc_swap(ep->dst, ep->peer, ep->job->comm, GX_TAG_PROBE_HANDLE,
                                &g->peer_dst, err));
    return GX_OK;
}

static int gpu_prepare(struct gx_ep *ep, size_t bytes, struct gx_err *err)
{
    (void)err;
    ((struct gpu_state *)ep->priv)->bytes = bytes;
    return GX_OK;
}

static int sync_side(struct gpu_state *g, int side, struct gx_err *err)
{
    for (int k = 0; k < g->nstreams; k++)
        GX_CUDA_TRY(err, cudaStreamSynchronize(g->s[side][k]));
    return GX_OK;
}

/* Both ways, each message's two stages start together: a side whose whole window went first ran
 * alone meanwhile, and a pipeline of overlapping stages beat the probe (docs/ceilings.md). */
static int run_stages(struct gx_ep *ep, struct gpu_state *g, enum gx_dir dir, int in_turn,
                      int count, size_t bytes, struct gx_err *err)
{
    const struct gpu_stages *st = g->st;
    int paired = dir == GX_DIR_BOTH && !in_turn && st->send != nothing && st->recv != nothing;
    for (int m = 0; paired && m < count; m++) {
        GX_TRY(st->recv(ep, g, m, 1, bytes, g->s[1], err));
        GX_TRY(st->send(ep, g, m, 1, bytes, g->s[0], err));
    }
    if (dir & GX_DIR_RECV && !in_turn && !paired)
        GX_TRY(st->recv(ep, g, 0, count, bytes, g->s[1], err));
    if (dir & GX_DIR_SEND && !paired) {
        GX_TRY(st->send(ep, g, 0, count, bytes, g->s[0], err));
        if (in_turn)
            GX_TRY(sync_side(g, 0, err));
    }
    if (dir & GX_DIR_RECV && in_turn)
        GX_TRY(st->recv(ep, g, 0, count, bytes, g->s[1], err));
    for (int side = 0; side < 2; side++)
        if (dir & (side ? GX_DIR_RECV : GX_DIR_SEND))
            GX_TRY(sync_side(g, side, err));
    return GX_OK;
}

static int gpu_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                    struct gx_err *err)
{
    struct gpu_state *g = ep->priv;
    unsigned long call = g->calls++;
    int in_turn = dir != GX_DIR_BOTH && g->st->in_turn && (call & 1);
    g->nstreams = g->st->streams ? peer_schedule[(call >> 1) % GX_ARRAY_LEN(peer_schedule)] : 1;
    if (in_turn && dir == GX_DIR_SEND) { /* the receiver starts once the sender is done */
        GX_TRY(run_stages(ep, g, dir, 1, count, bytes, err));
        return probe_sync(ep, dir, GX_TAG_PROBE_GO, err);
    }
    GX_TRY(probe_sync(ep, dir, GX_TAG_PROBE_GO, err));
    GX_TRY(run_stages(ep, g, dir, in_turn, count, bytes, err));
    return dir == GX_DIR_BOTH ? probe_sync(ep, dir, GX_TAG_PROBE_DONE, err) : GX_OK;
}

/* Where the paths find them: the message to send on its GPU, the one to receive on the host. */
static int managed_between(struct gx_ep *ep, struct gx_err *err)
{
    struct gpu_state *g = ep->priv;
    size_t n = g->bytes; /* ep->cap holds every region */
    for (int m = 0; m < ep->regions; m++) {
        GX_CUDA_TRY(err, gx_cuda_prefetch(gx_ep_src(ep, m), n, 1, ep->job->gpu, g->s[0][0]));
        GX_CUDA_TRY(err, gx_cuda_discard_to_host(gx_ep_dst(ep, m), n, &g->no_discard,
                                                 g->s[1][0]));
    }
    GX_CUDA_TRY(err, cudaStreamSynchronize(g->s[0][0]));
    GX_CUDA_TRY(err, cudaStreamSynchronize(g->s[1][0]));
    return GX_OK;
}

static int managed_filter(struct gx_ep *ep, struct gx_err *why)
{
    int managed = 0;
    GX_CUDA_TRY(why, cudaDeviceGetAttribute(&managed, cudaDevAttrConcurrentManagedAccess,
                                            ep->job->gpu));
    if (!managed)
        return gx_fail(why, GX_ESKIP, "GPU %d has no concurrent managed access", ep->job->gpu);
    return GX_OK;
}

#define GPU_PROBE_OPS(nm, wh, mem, gbps, us, more_flags)                                     \
    GPU_PROBE_OPS_OF(nm, wh, mem, mem, gbps, us, more_flags)
#define GPU_PROBE_OPS_OF(nm, wh, src, dst, gbps, us, more_flags)                             \
    .name = nm, .what = wh, .default_src = src, .default_dst = dst,                          \
    .flags = GX_PATH_PROBE | GX_PATH_NEEDS_GPU | (more_flags), .nominal_gbps = gbps,         \
    .nominal_us = us,                                                                        \
    .open = gpu_open, .prepare = gpu_prepare, .xfer = gpu_xfer, .close = gpu_close

const struct gx_path_ops gx_probe_peer_copy = {
    GPU_PROBE_OPS("peer-copy", "cudaMemcpyAsync into the peer's buffer through CUDA IPC, "
                  "without a path's handshakes", GX_MEM_DEVICE, 400, 5, GX_PATH_MESSAGE_REGIONS),
    .filter = peer_filter,
};
const struct gx_path_ops gx_probe_copy_engines = {
    GPU_PROBE_OPS("copy-engines", "copy engines: the sender's D2H into pinned host memory "
                  "while the receiver's H2D runs", GX_MEM_DEVICE, 50, 5, 0),
    .own_pinned = staging_pinned,
};
const struct gx_path_ops gx_probe_mapped = {
    GPU_PROBE_OPS("mapped", "SMs on mapped pinned host memory: the sender's kernel writes it "
                  "while the receiver's reads it (gx_kernel_copy)", GX_MEM_DEVICE, 25, 8, 0),
    .own_pinned = staging_pinned,
};
/* Paces halved: each iteration's untimed return of the pages takes as long again. */
const struct gx_path_ops gx_probe_prefetch = {
    GPU_PROBE_OPS("prefetch", "managed memory: the sender prefetches its pages from its GPU "
                  "to the host while the receiver prefetches its own to its GPU",
                  GX_MEM_MANAGED, 6, 100, GX_PATH_MESSAGE_REGIONS),
    .filter = managed_filter,
    .between = managed_between,
};
const struct gx_path_ops gx_probe_faults = {
    GPU_PROBE_OPS("faults", "managed memory by demand: the sender's CPU reads pages on its GPU; "
                  "the receiver's CPU writes pages, then a kernel faults them back",
                  GX_MEM_MANAGED, 1.25, 120, GX_PATH_MESSAGE_REGIONS),
    .filter = managed_filter,
    .between = managed_between,
};

/* Staged's one-way bound on two GPUs: the pair's curve, not the GPU's map. */
const struct gx_path_ops gx_probe_sender_d2h = {
    GPU_PROBE_OPS_OF("sender-d2h", "the sender's GPU alone: its copy engine's cudaMemcpyAsync "
                     "into pinned host memory, the receiver waiting", GX_MEM_DEVICE,
                     GX_MEM_PINNED, 50, 5, 0),
};

/* Paced as PCIe gen 5 x16 (docs/line-rates.md). */
#define HOST_LINK_OPS(nm, wh, src, dst) GPU_PROBE_OPS_OF(nm, wh, src, dst, 50, 5, 0)
const struct gx_path_ops gx_probe_h2d = {
    HOST_LINK_OPS("host-to-device", "one GPU's host link: its copy engine's cudaMemcpyAsync from "
                  "pinned host memory, one GPU of the node at a time", GX_MEM_PINNED,
                  GX_MEM_DEVICE),
};
const struct gx_path_ops gx_probe_d2h = {
    HOST_LINK_OPS("device-to-host", "one GPU's host link: its copy engine's cudaMemcpyAsync into "
                  "pinned host memory, one GPU of the node at a time", GX_MEM_DEVICE,
                  GX_MEM_PINNED),
};

static const struct gpu_stages gpu_stages[] = {
    {&gx_probe_peer_copy, NEEDS_PEER, peer_send, nothing, 0, 1},
    {&gx_probe_copy_engines, NEEDS_PINNED, to_host, from_host, 0, 1},
    {&gx_probe_mapped, NEEDS_MAPPED, to_host, from_host, 1, 1},
    {&gx_probe_prefetch, 0, prefetch_send, prefetch_recv, 1, 0},
    {&gx_probe_faults, NEEDS_SCRATCH, faults_send, faults_recv, 1, 0},
    {&gx_probe_sender_d2h, 0, own_copy, nothing, 0, 0},
    {&gx_probe_h2d, 0, own_copy, nothing, 0, 0},
    {&gx_probe_d2h, 0, own_copy, nothing, 0, 0},
};

static const struct gpu_stages *stages_of(const struct gx_ep *ep)
{
    for (size_t i = 0; i < GX_ARRAY_LEN(gpu_stages); i++)
        if (gpu_stages[i].ops == ep->ops)
            return &gpu_stages[i];
    return &gpu_stages[0]; /* not reached: every ops above has its line */
}
