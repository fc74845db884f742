/* Paths "unified-prefetch" and "unified-demand": managed buffers moved by MPI.
 * prefetch: a chunk pipeline, each chunk prefetched to the host and sent as soon as it is
 *           there, received into pages discarded to the host and prefetched to the GPU.
 * demand:   MPI on the pages where they are; the receiver's kernel faults them back in.
 * Between iterations the sender's buffer goes back to its GPU, untimed, as an application made
 * it; else every message after the first would start on the host, the migration unmeasured.
 * A CUDA-aware Open MPI takes managed buffers for device memory wherever their pages are, and
 * copies them with synchronous cuMemcpy through its own buffers, short of --mca
 * opal_cuda_support 0. The "MPI" stage shows which. */
#include "config.h"
#include "tags.h"

#include "chunk.h"
#include "cuda_util.h"
#include "kernels.h"
#include "mem.h"
#include "mpi_util.h"
#include "path.h"
#include "pipeline.h"

#include <stdlib.h>
#include <unistd.h>

/* One MPI message per chunk, whose count is an int. */
#define UM_MAX_CHUNK ((size_t)1 << 30)

enum { ST_TO_HOST, ST_MPI, ST_TO_GPU };

struct um_priv {
    cudaStream_t stream;  /* demand's kernel; between's prefetch */
    cudaStream_t to_host, discard, to_gpu; /* the pipeline's, one per kind of hop */
    size_t bytes;         /* only its pages move between iterations */
    size_t page;
    int no_discard;       /* the driver refused one: plain prefetches from then on */
    struct gx_requests reqs;
    struct gx_pipe_rings rings;
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

/* The driver then maps pages for the CPU as it migrates them, instead of the CPU faulting on
 * each, faster where MPI copies them as host memory (docs/paths.md). Only a hint. */
static int um_advise(struct gx_ep *ep, struct gx_err *err)
{
    struct cudaMemLocation cpu = {.type = cudaMemLocationTypeHost, .id = 0};
    void *bufs[2] = {ep->src, ep->dst};
    for (int i = 0; i < 2; i++) {
        cudaError_t ce = cudaMemAdvise(bufs[i], ep->cap, cudaMemAdviseSetAccessedBy, cpu);
        if (ce == cudaErrorNotSupported || ce == cudaErrorInvalidValue ||
            ce == cudaErrorInvalidDevice) {
            cudaGetLastError();
            return GX_OK;
        }
        GX_CUDA_TRY(err, ce);
    }
    return GX_OK;
}

extern const struct gx_path_ops gx_path_unified_prefetch;

static int um_open(struct gx_ep *ep, struct gx_err *err)
{
    /* Demand leaves the pages to the faults. */
    if (ep->ops == &gx_path_unified_prefetch)
        GX_TRY(um_advise(ep, err));
    if (ep->priv)
        return GX_OK;
    struct um_priv *p = calloc(1, sizeof *p);
    if (!p)
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    ep->priv = p;
    long page = sysconf(_SC_PAGESIZE);
    p->page = page > 0 && (size_t)page <= GX_MANAGED_BLOCK ? (size_t)page : 4096;
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->stream, cudaStreamNonBlocking));
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->to_host, cudaStreamNonBlocking));
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->discard, cudaStreamNonBlocking));
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->to_gpu, cudaStreamNonBlocking));
    return GX_OK;
}

static int prefetch(void *buf, size_t bytes, int to_gpu, int gpu, cudaStream_t s,
                    struct gx_err *err)
{
    GX_CUDA_TRY(err, gx_cuda_prefetch(buf, bytes, to_gpu, gpu, s));
    return GX_OK;
}

static int um_prepare(struct gx_ep *ep, size_t bytes, struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    p->bytes = bytes;
    return gx_pipe_rings_grow(&p->rings, ep->depth < 1 ? 1 : ep->depth, err);
}

static int um_between(struct gx_ep *ep, struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    for (int m = 0; m < ep->regions; m++)
        GX_TRY(prefetch(gx_ep_src(ep, m), p->bytes, 1, ep->job->gpu, p->stream, err));
    GX_CUDA_TRY(err, cudaStreamSynchronize(p->stream));
    return GX_OK;
}

/* Discarded first: MPI writing GPU-resident pages would fault them over one by one. Hops on
 * one range never overlap, which the driver leaves undefined (um_chunking). */
struct um_ctx {
    struct gx_ep *ep;
    struct um_priv *p;
};

GX_PIPE_HOP(hop_to_host, struct um_ctx,
            GX_TRY(prefetch((char *)gx_ep_src(x->ep, op->msg) + op->off, op->len, 0,
                            x->ep->job->gpu, x->p->to_host, err)))
GX_PIPE_HOP(hop_send, struct um_ctx,
            GX_MPI_TRY(err, MPI_Isend((char *)gx_ep_src(x->ep, op->msg) + op->off, (int)op->len,
                                      MPI_BYTE, x->ep->peer, GX_TAG_UM, x->ep->job->comm,
                                      &op->slot->req)))
GX_PIPE_HOP(hop_discard, struct um_ctx,
            GX_CUDA_TRY(err, gx_cuda_discard_to_host((char *)gx_ep_dst(x->ep, op->msg) + op->off,
                                                     op->len, &x->p->no_discard, x->p->discard)))
GX_PIPE_HOP(hop_recv, struct um_ctx,
            GX_MPI_TRY(err, MPI_Irecv((char *)gx_ep_dst(x->ep, op->msg) + op->off, (int)op->len,
                                      MPI_BYTE, x->ep->peer, GX_TAG_UM, x->ep->job->comm,
                                      &op->slot->req)))
GX_PIPE_HOP(hop_to_gpu, struct um_ctx,
            GX_TRY(prefetch((char *)gx_ep_dst(x->ep, op->msg) + op->off, op->len, 1,
                            x->ep->job->gpu, x->p->to_gpu, err)))

/* Whole pages: the driver rounds a prefetch out to them, so two chunks sharing one would
 * migrate it under each other. With a region per message, chunks in flight never share one. */
static void um_chunking(const struct gx_ep *ep, const struct um_priv *p, size_t bytes, int count,
                        struct gx_chunking *pl)
{
    /* Splitting fewer migration blocks contends less with the CPU writing the next chunk. */
    size_t c = gx_chunk_round_pages(ep->chunk, bytes, p->page, GX_MANAGED_BLOCK);
    gx_chunking_init(pl, bytes, c > UM_MAX_CHUNK ? UM_MAX_CHUNK : c, ep->depth, count);
}

static int um_xfer_prefetch(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                            struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    struct gx_chunking pl;
    um_chunking(ep, p, bytes, count, &pl);
    struct um_ctx x = {ep, p};
    const struct gx_pipe_hop send_hops[] = {{hop_to_host, p->to_host, ST_TO_HOST},
                                            {hop_send, NULL, ST_MPI}};
    const struct gx_pipe_hop recv_hops[] = {{hop_discard, p->discard, ST_TO_HOST},
                                            {hop_recv, NULL, ST_MPI},
                                            {hop_to_gpu, p->to_gpu, ST_TO_GPU}};
    return gx_pipe_transfer(ep, dir, pl.nchunks * (size_t)count, &pl, &p->rings,
                            (struct gx_pipe_dir){send_hops, 2},
                            (struct gx_pipe_dir){recv_hops, 3}, &x, err);
}

/* Each hop synchronous, so that each stage is timed as it is waited for. */
static int um_xfer_demand(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                          struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    GX_TRY(gx_requests_reserve(&p->reqs, 2 * gx_mpi_pieces(bytes), err));
    MPI_Request *req = p->reqs.req;
    /* The kernel must fault a message's pages back before the next may overwrite them. */
    for (int m = 0; m < count; m++) {
        int n = 0;
        double t = MPI_Wtime();
        if (dir & GX_DIR_RECV)
            GX_TRY(gx_mpi_post(gx_ep_dst(ep, m), bytes, 0, ep->peer, GX_TAG_UM, ep->job->comm,
                               req, &n, err));
        if (dir & GX_DIR_SEND)
            GX_TRY(gx_mpi_post(gx_ep_src(ep, m), bytes, 1, ep->peer, GX_TAG_UM, ep->job->comm,
                               req, &n, err));
        GX_MPI_TRY(err, gx_mpi_waitall(n, req));
        gx_stage_add(ep, 0, t);
        if (dir & GX_DIR_RECV) {
            t = MPI_Wtime();
            GX_CUDA_TRY(err, gx_kernel_touch(gx_ep_dst(ep, m), bytes, p->stream));
            GX_CUDA_TRY(err, cudaStreamSynchronize(p->stream));
            gx_stage_add(ep, 1, t);
        }
    }
    return GX_OK;
}

static void um_close(struct gx_ep *ep)
{
    struct um_priv *p = ep->priv;
    gx_pipe_rings_free(&p->rings);
    cudaStream_t *streams[] = {&p->stream, &p->to_host, &p->discard, &p->to_gpu};
    for (size_t i = 0; i < sizeof streams / sizeof *streams; i++)
        if (*streams[i])
            cudaStreamDestroy(*streams[i]);
    gx_requests_free(&p->reqs);
    free(p);
    ep->priv = NULL;
}

/* Bounded by managed memory's migration, both sides at once, and on one node by MPI's host
 * memory copy, at the chunk. Demand by the faults probe only on one shared GPU: a CUDA-aware MPI
 * moves managed pages with the driver's copies, and on two GPUs both migrate at once. */
#define UM_SHM {"MPI's host memory copy", GX_CEIL_SHM_COPY}
#define UM_SHM_BOTH {"MPI's host memory copy both ways", GX_CEIL_SHM_COPY_BIDIR}
#define UM_PREFETCH {"prefetches to the host and to the GPU", GX_CEIL_PREFETCH}
#define UM_PREFETCH_BOTH {"prefetches both ways", GX_CEIL_PREFETCH_BIDIR}
#define UM_FAULTS {"page faults to the host and back", GX_CEIL_FAULTS}
#define UM_FAULTS_BOTH {"page faults both ways", GX_CEIL_FAULTS_BIDIR}
#define UM_RULE(migration, shm)                                                               \
    {.when = GX_IF_SAME_NODE, .at_chunk = 1, .nstages = 2, .stages = {migration, shm}},       \
    {                                                                                         \
        .at_chunk = 1, .nstages = 1, .stages = { migration }                                  \
    }
#define UM_DEMAND_RULE(faults, shm)                                                           \
    {.when = GX_IF_SAME_GPU, .at_chunk = 1, .nstages = 2, .stages = {faults, shm}},           \
    {.when = GX_IF_SAME_NODE, .at_chunk = 1, .nstages = 1, .stages = {shm}},                  \
    {                                                                                         \
        .none = "demand paging across nodes: no probe bounds it (the driver, not faults, "   \
                "moves managed pages for a CUDA-aware MPI, and the network is not measured)"  \
    }
static const struct gx_bound_rule um_prefetch_one_way[] = {UM_RULE(UM_PREFETCH, UM_SHM)};
static const struct gx_bound_rule um_prefetch_both_ways[] = {
    UM_RULE(UM_PREFETCH_BOTH, UM_SHM_BOTH)};
static const struct gx_bound_rule um_demand_one_way[] = {UM_DEMAND_RULE(UM_FAULTS, UM_SHM)};
static const struct gx_bound_rule um_demand_both_ways[] = {
    UM_DEMAND_RULE(UM_FAULTS_BOTH, UM_SHM_BOTH)};

/* Unlike the copies', the best depth depends on the size (docs/paths.md, "Chunking"). */
static const struct gx_chunk_policy um_chunk_policy = {
    .min_chunk = (size_t)64 << 10,
    .max_chunk = (size_t)16 << 20,
    .max_pieces = 256,
    .ndepths = 3,
    .depths = {1, 2, 4},
};

#define UM_OPS                                                                                \
    .default_src = GX_MEM_MANAGED, .default_dst = GX_MEM_MANAGED, .filter = um_filter,        \
    .open = um_open, .prepare = um_prepare, .between = um_between, .close = um_close

const struct gx_path_ops gx_path_unified_prefetch = {
    .name = "unified-prefetch",
    .stages = {"prefetch to host", "MPI", "prefetch to GPU", NULL},
    .what = "managed memory in --chunk pieces, --depth in flight: each chunk prefetched to the "
            "host and sent as soon as it is there, received into pages discarded to the host, "
            "prefetched to the GPU as soon as it arrives (a CUDA-aware Open MPI copies managed "
            "memory as device memory whatever its place: --mca opal_cuda_support 0 for host)",
    UM_OPS,
    .flags = GX_PATH_CHUNKED | GX_PATH_NEEDS_GPU | GX_PATH_WINDOW_BY_TIME |
             GX_PATH_MESSAGE_REGIONS,
    .chunk_policy = &um_chunk_policy,
    .xfer = um_xfer_prefetch,
    .nominal_gbps = 0.7,
    .nominal_us = 300,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(um_prefetch_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(um_prefetch_both_ways)},
};

const struct gx_path_ops gx_path_unified_demand = {
    .name = "unified-demand",
    .stages = {"MPI on the pages where they are", "kernel faulting the pages in", NULL},
    .what = "managed memory; MPI on the pages where they are (a CUDA-aware Open MPI copies them "
            "as device memory), the receiver's kernel faults in any not on its GPU",
    UM_OPS,
    .flags = GX_PATH_NEEDS_GPU | GX_PATH_WINDOW_BY_TIME | GX_PATH_MESSAGE_REGIONS,
    .xfer = um_xfer_demand,
    .nominal_gbps = 3,
    .nominal_us = 200,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(um_demand_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(um_demand_both_ways)},
};
