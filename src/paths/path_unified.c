/* Paths "unified-prefetch" and "unified-demand": managed (unified) buffers on both sides,
 * moved by MPI on host-resident pages.
 *
 * prefetch: a pipeline of --chunk pieces, --depth in flight per side. The sender prefetches
 *           each chunk to the host (one stream, an event per chunk) and sends it as soon as it
 *           is there, so the prefetch of chunk k+1 overlaps the MPI of chunk k; the receiver
 *           discards each chunk's old contents to the host, receives into it, and prefetches it
 *           to its GPU while the next chunks arrive. A message is complete when every chunk's
 *           prefetch to the GPU has completed.
 * demand:   MPI works on the managed buffers as they are, and the receiver's kernel touches
 *           every page, faulting it back in.
 * Between timed iterations the sender's buffer is put back on its GPU, untimed, as if the
 * application had just produced it there; otherwise every message after the first would
 * start on the host and the migration would never be measured.
 *
 * A CUDA-aware Open MPI (4.1 opal/mca/common/cuda, 5.0 opal/mca/accelerator/cuda) takes managed
 * buffers for device memory wherever their pages are (the driver reports their memory type as
 * device) and copies each fragment with a synchronous cuMemcpy through its own host buffers;
 * no MCA parameter changes that short of turning CUDA support off (--mca opal_cuda_support 0),
 * after which MPI copies the host-resident pages as host memory. The "MPI" stage shows which. */
#include "config.h"

#include "chunk.h"
#include "cuda_util.h"
#include "gpu.h"
#include "kernels.h"
#include "mem.h"
#include "mpi_util.h"
#include "op_ring.h"
#include "path.h"

#include <stdlib.h>
#include <unistd.h>

#define GX_TAG_UM 140

/* The driver migrates managed memory in blocks of 2 MiB (its VA blocks): chunks that split
 * fewer of them contend less with the CPU writing the next chunk of the same block. */
#define UM_BLOCK ((size_t)2 << 20)
/* One MPI message per chunk and an MPI count is an int: at most 1 GiB (whole blocks). */
#define UM_MAX_CHUNK ((size_t)1 << 30)

/* Stages, as named in the ops tables below. */
enum { ST_TO_HOST, ST_MPI, ST_TO_GPU, ST_COUNT };

enum slot_state { SLOT_FREE, SLOT_TO_HOST, SLOT_MPI, SLOT_TO_GPU };

struct um_slot {
    cudaEvent_t ev; /* the end of the slot's current prefetch (or discard) */
    MPI_Request req;
    enum slot_state state;
};

/* One direction of one side: a ring of slots over the stream of count x nchunks chunks. */
struct um_ring {
    struct um_slot *slots;
    struct gx_op_ring o;
};

struct um_priv {
    cudaStream_t stream;  /* demand's kernel; between's prefetch */
    cudaStream_t to_host, discard, to_gpu; /* the pipeline's: one per kind of step, in order */
    size_t bytes;         /* the message being measured: only its pages move between iterations */
    size_t page;
    int no_discard;       /* the driver refused a discard once: plain prefetches from then on */
    struct gx_requests reqs;
    struct um_slot *slots; /* 2 x depth: the send ring, then the receive ring */
    int depth;
    struct um_ring send, recv;
    /* Stage activity: chunks in each stage now, and since when the stage has had any. */
    int active[ST_COUNT];
    double since[ST_COUNT];
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
    long page = sysconf(_SC_PAGESIZE);
    p->page = page > 0 && (size_t)page <= UM_BLOCK ? (size_t)page : 4096;
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->stream, cudaStreamNonBlocking));
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->to_host, cudaStreamNonBlocking));
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->discard, cudaStreamNonBlocking));
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->to_gpu, cudaStreamNonBlocking));
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
static int discard_to_host(struct um_priv *p, void *buf, size_t bytes, cudaStream_t s,
                           struct gx_err *err)
{
#if CUDART_VERSION >= 13000
    if (!p->no_discard) {
        void *ptrs[1] = {buf};
        size_t sizes[1] = {bytes}, first[1] = {0};
        struct cudaMemLocation host = {.type = cudaMemLocationTypeHost, .id = 0};
        cudaError_t ce = cudaMemDiscardAndPrefetchBatchAsync(ptrs, sizes, 1, &host, first, 1, 0, s);
        if (ce == cudaSuccess)
            return GX_OK;
        if (ce != cudaErrorNotSupported && ce != cudaErrorInvalidValue)
            return gx_fail_cuda(err, ce, "cudaMemDiscardAndPrefetchBatchAsync", __FILE__, __LINE__);
        cudaGetLastError();
        p->no_discard = 1;
    }
#endif
    return prefetch(buf, bytes, 0, 0, s, err);
}

static void free_slots(struct um_priv *p)
{
    for (int i = 0; p->slots && i < 2 * p->depth; i++)
        if (p->slots[i].ev)
            cudaEventDestroy(p->slots[i].ev);
    free(p->slots);
    p->slots = NULL;
    p->depth = 0;
}

/* Events for --depth chunks in flight per side: created here, untimed, when the need grows. */
static int um_prepare(struct gx_ep *ep, size_t bytes, struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    p->bytes = bytes;
    int depth = ep->depth < 1 ? 1 : ep->depth;
    if (depth <= p->depth)
        return GX_OK;
    free_slots(p);
    p->slots = calloc(2 * (size_t)depth, sizeof *p->slots);
    if (!p->slots)
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    p->depth = depth;
    for (int i = 0; i < 2 * depth; i++)
        GX_CUDA_TRY(err, cudaEventCreateWithFlags(&p->slots[i].ev, cudaEventDisableTiming));
    return GX_OK;
}

static int um_between(struct gx_ep *ep, struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    GX_TRY(prefetch(ep->src, p->bytes ? p->bytes : ep->cap, 1, ep->job->gpu, p->stream, err));
    GX_CUDA_TRY(err, cudaStreamSynchronize(p->stream));
    return GX_OK;
}

/* Stage times of the pipeline: the wall time during which at least one chunk of this rank was
 * in the stage (from the call that started its step to the poll that saw it end). The stages
 * overlap, so no single one is "waited on" and their times may add up to more than the
 * transfer: the one active nearly all along is the one that bounds it, and the excess of
 * their sum over the transfer is what pipelining gained. */
static void stage_enter(struct um_priv *p, int s)
{
    if (p->active[s]++ == 0)
        p->since[s] = MPI_Wtime();
}

static void stage_leave(struct gx_ep *ep, struct um_priv *p, int s)
{
    if (--p->active[s] == 0)
        gx_stage_add(ep, s, p->since[s]);
}

static struct um_slot *ring_slot(struct um_ring *r, size_t op)
{
    return &r->slots[gx_op_ring_slot(&r->o, op)];
}

static void ring_start(struct um_ring *r, struct um_slot *slots, int nslots, size_t total)
{
    r->slots = slots;
    gx_op_ring_start(&r->o, nslots, total);
    for (int i = 0; i < nslots; i++)
        slots[i].state = SLOT_FREE;
}

/* Sender: prefetch chunks to the host on one stream; Isend each as soon as its prefetch is done
 * (in chunk order: the stream completes them in order, and MPI's non-overtaking rule keeps that
 * order at the receiver); free the slot when the send completes. */
static int progress_send(struct gx_ep *ep, struct um_priv *p, const struct gx_chunk_plan *pl,
                         struct gx_err *err)
{
    struct um_ring *r = &p->send;
    for (size_t op = r->o.completed; op < r->o.issued; op++) {
        struct um_slot *s = ring_slot(r, op);
        if (s->state != SLOT_TO_HOST)
            continue;
        int done;
        GX_TRY(gx_cuda_event_done(s->ev, &done, err));
        if (!done)
            break;
        size_t c = op % pl->nchunks;
        stage_leave(ep, p, ST_TO_HOST);
        GX_MPI_TRY(err, MPI_Isend((char *)ep->src + gx_chunk_offset(pl, c),
                                  (int)gx_chunk_length(pl, c), MPI_BYTE, ep->peer, GX_TAG_UM,
                                  ep->job->comm, &s->req));
        s->state = SLOT_MPI;
        stage_enter(p, ST_MPI);
    }
    while (r->o.completed < r->o.issued) {
        struct um_slot *s = ring_slot(r, r->o.completed);
        int flag = 0;
        if (s->state != SLOT_MPI)
            break;
        GX_MPI_TRY(err, MPI_Test(&s->req, &flag, MPI_STATUS_IGNORE));
        if (!flag)
            break;
        stage_leave(ep, p, ST_MPI);
        s->state = SLOT_FREE;
        r->o.completed++;
    }
    while (gx_op_ring_may_issue(&r->o)) {
        struct um_slot *s = ring_slot(r, r->o.issued);
        size_t c = r->o.issued % pl->nchunks;
        GX_TRY(prefetch((char *)ep->src + gx_chunk_offset(pl, c), gx_chunk_length(pl, c), 0,
                        ep->job->gpu, p->to_host, err));
        GX_CUDA_TRY(err, cudaEventRecord(s->ev, p->to_host));
        s->state = SLOT_TO_HOST;
        stage_enter(p, ST_TO_HOST);
        r->o.issued++;
    }
    return GX_OK;
}

/* Receiver: discard each chunk to the host (MPI writing into GPU-resident managed pages would
 * fault them over one by one instead of moving them in bulk), Irecv it once the discard is
 * done (in chunk order), prefetch it to the GPU once it has arrived; the slot is free when that
 * prefetch is done. Discards, prefetches and MPI of different chunks overlap; those of one
 * range never do (the driver leaves that undefined): see um_plan. */
static int progress_recv(struct gx_ep *ep, struct um_priv *p, const struct gx_chunk_plan *pl,
                         struct gx_err *err)
{
    struct um_ring *r = &p->recv;
    for (size_t op = r->o.completed; op < r->o.issued; op++) {
        struct um_slot *s = ring_slot(r, op);
        if (s->state != SLOT_TO_HOST)
            continue;
        int done;
        GX_TRY(gx_cuda_event_done(s->ev, &done, err));
        if (!done)
            break;
        size_t c = op % pl->nchunks;
        stage_leave(ep, p, ST_TO_HOST);
        GX_MPI_TRY(err, MPI_Irecv((char *)ep->dst + gx_chunk_offset(pl, c),
                                  (int)gx_chunk_length(pl, c), MPI_BYTE, ep->peer, GX_TAG_UM,
                                  ep->job->comm, &s->req));
        s->state = SLOT_MPI;
        stage_enter(p, ST_MPI);
    }
    for (size_t op = r->o.completed; op < r->o.issued; op++) {
        struct um_slot *s = ring_slot(r, op);
        int flag = 0;
        if (s->state != SLOT_MPI)
            continue;
        GX_MPI_TRY(err, MPI_Test(&s->req, &flag, MPI_STATUS_IGNORE));
        if (!flag)
            continue;
        size_t c = op % pl->nchunks;
        stage_leave(ep, p, ST_MPI);
        GX_TRY(prefetch((char *)ep->dst + gx_chunk_offset(pl, c), gx_chunk_length(pl, c), 1,
                        ep->job->gpu, p->to_gpu, err));
        GX_CUDA_TRY(err, cudaEventRecord(s->ev, p->to_gpu));
        s->state = SLOT_TO_GPU;
        stage_enter(p, ST_TO_GPU);
    }
    while (r->o.completed < r->o.issued) {
        struct um_slot *s = ring_slot(r, r->o.completed);
        int done;
        if (s->state != SLOT_TO_GPU)
            break;
        GX_TRY(gx_cuda_event_done(s->ev, &done, err));
        if (!done)
            break;
        stage_leave(ep, p, ST_TO_GPU);
        s->state = SLOT_FREE;
        r->o.completed++;
    }
    while (gx_op_ring_may_issue(&r->o)) {
        struct um_slot *s = ring_slot(r, r->o.issued);
        size_t c = r->o.issued % pl->nchunks;
        GX_TRY(discard_to_host(p, (char *)ep->dst + gx_chunk_offset(pl, c),
                               gx_chunk_length(pl, c), p->discard, err));
        GX_CUDA_TRY(err, cudaEventRecord(s->ev, p->discard));
        s->state = SLOT_TO_HOST;
        stage_enter(p, ST_TO_HOST);
        r->o.issued++;
    }
    return GX_OK;
}

/* The chunks: whole pages (the driver rounds a prefetch out to whole pages, so two chunks
 * sharing one would migrate it under each other), so every chunk but the last starts and ends
 * on a page and a discard never reaches into a chunk already received (the last may end
 * inside a page: beyond it lies no message data). The message is one buffer for every message
 * of a window, so the depth is at most the chunks of one message: a range is in flight once
 * at a time and its discard never overlaps its previous prefetch to the GPU. */
static void um_plan(const struct gx_ep *ep, const struct um_priv *p, size_t bytes, int count,
                    struct gx_chunk_plan *pl)
{
    size_t c = gx_chunk_round_pages(ep->chunk, bytes, p->page, UM_BLOCK);
    gx_chunk_plan_init(pl, bytes, c > UM_MAX_CHUNK ? UM_MAX_CHUNK : c, ep->depth, count);
    if ((size_t)pl->depth > pl->nchunks)
        pl->depth = (int)pl->nchunks;
}

static int um_xfer_prefetch(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                            struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    struct gx_chunk_plan pl;
    um_plan(ep, p, bytes, count, &pl);
    if (pl.depth > p->depth)
        return gx_fail(err, GX_ERUNTIME, "unified-prefetch: %d chunks in flight not prepared",
                       pl.depth);
    size_t total = pl.nchunks * (size_t)count;
    for (int s = 0; s < ST_COUNT; s++)
        p->active[s] = 0; /* a transfer that failed half-way leaves none behind */
    ring_start(&p->send, p->slots, pl.depth, dir & GX_DIR_SEND ? total : 0);
    ring_start(&p->recv, p->slots + p->depth, pl.depth, dir & GX_DIR_RECV ? total : 0);
    while (gx_op_ring_busy(&p->send.o) || gx_op_ring_busy(&p->recv.o)) {
        if (dir & GX_DIR_RECV)
            GX_TRY(progress_recv(ep, p, &pl, err));
        if (dir & GX_DIR_SEND)
            GX_TRY(progress_send(ep, p, &pl, err));
    }
    return GX_OK;
}

/* One message at a time, each step synchronous, so each stage is timed as it is waited for. */
static int um_xfer_demand(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                          struct gx_err *err)
{
    struct um_priv *p = ep->priv;
    GX_TRY(gx_requests_reserve(&p->reqs, 2 * gx_mpi_pieces(bytes), err));
    MPI_Request *req = p->reqs.req;
    /* Each receive lands in the pages that the kernel must fault back to the GPU before the
     * next message may overwrite them. */
    for (int m = 0; m < count; m++) {
        int n = 0;
        double t = MPI_Wtime();
        if (dir & GX_DIR_RECV)
            GX_TRY(gx_mpi_post(ep->dst, bytes, 0, ep->peer, GX_TAG_UM, ep->job->comm, req, &n, err));
        if (dir & GX_DIR_SEND)
            GX_TRY(gx_mpi_post(ep->src, bytes, 1, ep->peer, GX_TAG_UM, ep->job->comm, req, &n, err));
        GX_MPI_TRY(err, MPI_Waitall(n, req, MPI_STATUSES_IGNORE));
        gx_stage_add(ep, 0, t);
        if (dir & GX_DIR_RECV) {
            t = MPI_Wtime();
            GX_CUDA_TRY(err, gx_kernel_touch(ep->dst, bytes, 0, p->stream));
            GX_CUDA_TRY(err, cudaStreamSynchronize(p->stream));
            gx_stage_add(ep, 1, t);
        }
    }
    return GX_OK;
}

static void um_close(struct gx_ep *ep)
{
    struct um_priv *p = ep->priv;
    if (!p)
        return;
    free_slots(p);
    cudaStream_t *streams[] = {&p->stream, &p->to_host, &p->discard, &p->to_gpu};
    for (size_t i = 0; i < sizeof streams / sizeof *streams; i++)
        if (*streams[i])
            cudaStreamDestroy(*streams[i]);
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
    .what = "managed memory in --chunk pieces, --depth in flight: each chunk prefetched to the "
            "host and sent as soon as it is there, received into pages discarded to the host, "
            "prefetched to the GPU as soon as it arrives (a CUDA-aware Open MPI copies managed "
            "memory as device memory whatever its place: --mca opal_cuda_support 0 for host)",
    .default_src = GX_MEM_MANAGED,
    .default_dst = GX_MEM_MANAGED,
    .flags = GX_PATH_CHUNKED | GX_PATH_NEEDS_GPU,
    .chunk_policy = &gx_chunk_policy_pipelined,
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
    .what = "managed memory; MPI on the pages where they are (a CUDA-aware Open MPI copies them "
            "as device memory), the receiver's kernel faults in any not on its GPU",
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
