/* The GPU's ceiling probes (probe.h): each side runs its own stage of one layer and waits for
 * it, the probes differing only in their stages (gpu_stages below). A layer at its best:
 * - every probe but the managed ones (streams in gpu_stages) takes 1, 2 and
 *   GX_PROBE_MAX_STREAMS streams in turn, a pair of iterations each, at every size, as the
 *   paths' --depth 1, 2 and 4 keep that many copies or kernels in flight: the peer copy
 *   (p2p's chunks) cuts each message in as many pieces where the window holds fewer; the copy
 *   engines and the mapped kernels spread a window's messages over them. The ceiling is the
 *   best iteration, so a schedule slower at a size (one stream's submissions are the fastest
 *   for small copies on one GPU) costs only iterations, while a probe that never keeps as many
 *   in flight as a path does is beaten by it on separate GPUs. Each message of the peer copy has
 *   a region of its own in both buffers (GX_PATH_MESSAGE_REGIONS, as p2p): two streams copying
 *   one buffer at once find each other's lines in L2, more than HBM carries for distinct data.
 *   Two streams are among the schedules because at the HBM's limit two copies in flight beat
 *   both one and four (docs/ceilings.md, "How the GPU probes run"). For managed pages one
 *   stream only: a second finds the first's pages already moved;
 * - one way, a probe whose sides share something that slows both when they run at once
 *   (in_turn in gpu_stages) alternates its iterations between the two schedules: the sides
 *   at once, and the receiver's stage after the sender's: on one GPU kernels writing and
 *   reading mapped memory are faster one after the other than at once, and a path's own
 *   schedule lies between the two, so the best iteration covers both. Copy engines move the
 *   two directions of a link at once undisturbed (in turn, half as fast): they take only the
 *   first. Both ways, every path runs its sides at once.
 * The stages:
 * - peer-copy: the sender's copies into the peer's own dst, opened through CUDA IPC as p2p
 *   opens it, without a path's handshakes (the peer link, or the GPU's own memory when the
 *   ranks share it): copies into a buffer of the probe's own process on the peer's GPU run
 *   slower than p2p's, which p2p would then beat;
 * - copy-engines: the sender's D2H into pinned host memory while the receiver's H2D runs;
 * - mapped: the sender's kernel writes mapped pinned host memory while the receiver's reads it
 *   (gx_kernel_copy, zerocopy's mover);
 * - prefetch: the sender prefetches its managed pages to the host while the receiver prefetches
 *   its own to its GPU, from where they stood before the iteration (between, untimed);
 * - faults: the sender's CPU reads managed pages that are on its GPU; the receiver's CPU writes
 *   managed pages that are on its GPU, then a kernel faults them back in;
 * - host-to-device, device-to-host: the sender's GPU alone, its copy engine's cudaMemcpyAsync
 *   of the whole message from or into pinned host memory on one stream, as nvbandwidth's
 *   host_to_device_memcpy_ce and device_to_host_memcpy_ce; the receiver only waits, so that the
 *   GPU's host link is measured without another GPU on the host bridge (the node's map).
 * Each probe's ops are plain gx_path_ops (the table, probe.c, lists them); its stages are a line
 * of gpu_stages below. */
#include "config.h"
#include "probe.h"

#include "cuda_util.h"
#include "kernels.h"
#include "tags.h"

#include <stdlib.h>
#include <string.h>

/* Both sides of a probe's iteration start together (the receiver's stage must not run before
 * the initiator's clock starts) and, both ways, end together (each side's clock then covers
 * both directions): 0-byte messages, as cheap as the pattern's own acknowledgement. */
static int probe_start(const struct gx_ep *ep, enum gx_dir dir, struct gx_err *err)
{
    MPI_Comm comm = ep->job->comm;
    if (dir == GX_DIR_SEND)
        GX_MPI_TRY(err, MPI_Send(NULL, 0, MPI_BYTE, ep->peer, GX_TAG_PROBE_GO, comm));
    else if (dir == GX_DIR_RECV)
        GX_MPI_TRY(err, MPI_Recv(NULL, 0, MPI_BYTE, ep->peer, GX_TAG_PROBE_GO, comm,
                                 MPI_STATUS_IGNORE));
    else
        GX_MPI_TRY(err, MPI_Sendrecv(NULL, 0, MPI_BYTE, ep->peer, GX_TAG_PROBE_GO, NULL, 0,
                                     MPI_BYTE, ep->peer, GX_TAG_PROBE_GO, comm,
                                     MPI_STATUS_IGNORE));
    return GX_OK;
}

static int probe_end(const struct gx_ep *ep, enum gx_dir dir, struct gx_err *err)
{
    if (dir == GX_DIR_BOTH)
        GX_MPI_TRY(err, MPI_Sendrecv(NULL, 0, MPI_BYTE, ep->peer, GX_TAG_PROBE_DONE, NULL, 0,
                                     MPI_BYTE, ep->peer, GX_TAG_PROBE_DONE, ep->job->comm,
                                     MPI_STATUS_IGNORE));
    return GX_OK;
}

/* Host buffers of the buffers' size, allocated in open as a probe needs them. */
#define NEEDS_PINNED  0x1u /* host[0] the sender's D2H target, host[1] the receiver's source */
#define NEEDS_MAPPED  0x2u /* the same, mapped: kernels address them through host_dev */
#define NEEDS_PEER    0x4u /* the peer's dst, mapped through CUDA IPC */
#define NEEDS_SCRATCH 0x8u /* host memory the sender's CPU copies managed pages into */

/* The deepest schedule: as many copies in flight as the paths' deepest default candidate. */
#define GX_PROBE_MAX_STREAMS 4
/* The streams of the schedules, a pair of iterations each in turn: every depth the paths'
 * default candidates use. */
static const int peer_schedule[] = {1, 2, GX_PROBE_MAX_STREAMS};
struct gpu_stages;
struct gpu_state {
    const struct gpu_stages *st;
    cudaStream_t s[2][GX_PROBE_MAX_STREAMS]; /* [0] the sender's stage, [1] the receiver's */
    int nstreams;                        /* of s[side], this message size's */
    unsigned long calls;                 /* iterations so far: which schedule is next */
    void *host[2], *host_dev[2];
    size_t host_bytes; /* of host[i]: a stream's copies go to a region of their own in it */
    void *peer_dst; /* the peer's dst, opened from its CUDA IPC handle */
    void *scratch;
    size_t bytes; /* the message measured (prepare) */
    int no_discard;
};

/* A stage moves messages m0 .. m0 + count - 1 of the window. */
typedef int (*gpu_stage_fn)(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                            size_t bytes, const cudaStream_t *s, struct gx_err *err);
#define STREAM(s, m) ((s)[(m) % g->nstreams])
/* Message m's region of host buffer h (`bytes` each): its stream's own where the buffer holds
 * it, as a path's slots are their own (several streams' copies into one region found each other
 * there), else the first. */
#define HOST_REGION(h, m, bytes)                                                              \
    ((char *)(h) + (((size_t)((m) % g->nstreams) + 1) * (bytes) <= g->host_bytes              \
                        ? (size_t)((m) % g->nstreams) * (bytes)                               \
                        : 0))
/* The most host memory a probe's regions may take per buffer; above, one region. */
#define GX_PROBE_HOST_REGIONS_MAX ((size_t)256 << 20)
struct gpu_stages {
    const struct gx_path_ops *ops;
    unsigned needs;
    gpu_stage_fn send, recv;
    int in_turn; /* one way, every other iteration runs the receiver's stage after the sender's */
    int streams; /* at every size, the pairs of iterations on peer_schedule's streams (else one) */
};
static const struct gpu_stages *stages_of(const struct gx_ep *ep);

/* ------------------------------------------------------------------ the peer's GPU */

/* The device in this process that is rank `peer`'s GPU, by PCI bus id; both sides ask and
 * answer, so both learn whether the other can see it (a GPU outside CUDA_VISIBLE_DEVICES). */
static int peer_device(struct gx_ep *ep, int *dev, struct gx_err *why)
{
    struct {
        char busid[32];
        int32_t sees;
    } mine = {{0}, 0}, theirs;
    GX_CUDA_TRY(why, cudaDeviceGetPCIBusId(mine.busid, (int)sizeof mine.busid, ep->job->gpu));
    for (int round = 0; round < 2; round++) {
        GX_MPI_TRY(why, MPI_Sendrecv(&mine, (int)sizeof mine, MPI_BYTE, ep->peer,
                                     GX_TAG_PROBE_SETUP, &theirs, (int)sizeof theirs, MPI_BYTE,
                                     ep->peer, GX_TAG_PROBE_SETUP, ep->job->comm,
                                     MPI_STATUS_IGNORE));
        if (round == 0) {
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

static int peer_open(struct gx_ep *ep, struct gpu_state *g, struct gx_err *err)
{
    return gx_cuda_ipc_swap(ep->dst, ep->peer, ep->job->comm, GX_TAG_PROBE_HANDLE, &g->peer_dst,
                            err);
}

/* ------------------------------------------------------------------ the stages */

static int peer_send(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                     size_t bytes, const cudaStream_t *s, struct gx_err *err)
{
    /* As p2p copies: cudaMemcpyAsync into the peer's own dst, opened through CUDA IPC
     * (cudaMemcpyPeerAsync costs more a copy on one GPU shared by both ranks, and p2p beat
     * it at small chunks). */
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

/* copy-engines and mapped: a message between the GPU and host buffer i (the sender's 0, the
 * receiver's 1), by the copy engine (D2H, H2D) on pinned memory, by SMs (gx_kernel_copy,
 * zerocopy's mover) on mapped memory, which they address through host_dev. */
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

static int to_host(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                   size_t bytes, const cudaStream_t *s, struct gx_err *err)
{
    for (int m = m0; m < m0 + count; m++)
        GX_TRY(host_move(g, 0, ep->src, (size_t)m, bytes, STREAM(s, m), err));
    return GX_OK;
}

static int from_host(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                     size_t bytes, const cudaStream_t *s, struct gx_err *err)
{
    for (int m = m0; m < m0 + count; m++)
        GX_TRY(host_move(g, 1, ep->dst, (size_t)m, bytes, STREAM(s, m), err));
    return GX_OK;
}

/* The host links' stage: the message's own buffers are the pinned host memory and the GPU's
 * (the probe's memory kinds say which way), as nvbandwidth copies between them. */
static int own_copy(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                    size_t bytes, const cudaStream_t *s, struct gx_err *err)
{
    for (int m = m0; m < m0 + count; m++)
        GX_CUDA_TRY(err, cudaMemcpyAsync(ep->dst, ep->src, bytes, cudaMemcpyDefault,
                                         STREAM(s, m)));
    return GX_OK;
}

static int prefetch_send(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                         size_t bytes, const cudaStream_t *s, struct gx_err *err)
{
    for (int m = m0; m < m0 + count; m++)
        GX_CUDA_TRY(err, gx_cuda_prefetch(gx_ep_src(ep, m), bytes, 0, ep->job->gpu,
                                          STREAM(s, m)));
    return GX_OK;
}

static int prefetch_recv(struct gx_ep *ep, struct gpu_state *g, int m0, int count,
                         size_t bytes, const cudaStream_t *s, struct gx_err *err)
{
    for (int m = m0; m < m0 + count; m++)
        GX_CUDA_TRY(err, gx_cuda_prefetch(gx_ep_dst(ep, m), bytes, 1, ep->job->gpu,
                                          STREAM(s, m)));
    return GX_OK;
}

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
        GX_CUDA_TRY(err, gx_kernel_touch(gx_ep_dst(ep, m), bytes, 0, s[0]));
        GX_CUDA_TRY(err, cudaStreamSynchronize(s[0]));
    }
    return GX_OK;
}

/* ------------------------------------------------------------------ the ops every probe shares */

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
    g->host_bytes = pr->streams && GX_PROBE_MAX_STREAMS * ep->cap <= GX_PROBE_HOST_REGIONS_MAX
                        ? GX_PROBE_MAX_STREAMS * ep->cap
                        : ep->cap;
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
        GX_TRY(peer_open(ep, g, err));
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

/* This side's stages for `dir`: both at once, or the sender's and then the receiver's. Both
 * ways at once, each message's two stages are started one after the other: where one side's
 * whole window was submitted before the other's, it ran alone meanwhile, and one direction alone
 * moves less than two at once, so a pipeline whose stages overlap beat the probe (docs/ceilings.md,
 * "How the GPU probes run"). */
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
    /* Both sides count their iterations alike: they take the same schedule. */
    unsigned long call = g->calls++;
    int in_turn = dir != GX_DIR_BOTH && g->st->in_turn && (call & 1);
    g->nstreams = g->st->streams ? peer_schedule[(call >> 1) % GX_ARRAY_LEN(peer_schedule)] : 1;
    if (in_turn && dir == GX_DIR_SEND) { /* the receiver starts once the sender is done */
        GX_TRY(run_stages(ep, g, dir, 1, count, bytes, err));
        return probe_start(ep, dir, err);
    }
    GX_TRY(probe_start(ep, dir, err));
    GX_TRY(run_stages(ep, g, dir, in_turn, count, bytes, err));
    return probe_end(ep, dir, err);
}

/* Managed pages where the paths find them before an iteration: the message to send on the GPU
 * that produced it, the one to receive on the host (unified-prefetch discards it there; for
 * demand, the CPU writing it brings it there). */
static int managed_between(struct gx_ep *ep, struct gx_err *err)
{
    struct gpu_state *g = ep->priv;
    size_t n = g->bytes; /* prepare's, the message's: ep->cap holds every region */
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
};
const struct gx_path_ops gx_probe_mapped = {
    GPU_PROBE_OPS("mapped", "SMs on mapped pinned host memory: the sender's kernel writes it "
                  "while the receiver's reads it (gx_kernel_copy)", GX_MEM_DEVICE, 25, 8, 0),
};
/* The migration probes' typical pace (docs/ceilings.md, "How the GPU probes run"), halved:
 * each iteration's untimed return of the pages (between) takes about as long again as the
 * timed move. */
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

/* The sender's D2H alone for a pair (staged's one-way bound on two GPUs): the host-link copy
 * below, stored as the pair's curve, not as the GPU's map. */
const struct gx_path_ops gx_probe_sender_d2h = {
    GPU_PROBE_OPS_OF("sender-d2h", "the sender's GPU alone: its copy engine's cudaMemcpyAsync "
                     "into pinned host memory, the receiver waiting", GX_MEM_DEVICE,
                     GX_MEM_PINNED, 50, 5, 0),
};

/* One GPU's host link, its message from pinned host memory to the GPU or back, paced as a PCIe
 * gen 5 x16 link's copies (docs/line-rates.md). */
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

/* Each probe's stages and the buffers they need, a line each. */
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
