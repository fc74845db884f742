/* Path "staged": device -> pinned staging -> pinned staging -> device, pipelined in chunks.
 * On one node through shared memory the copy engines fill and drain (shm_channel.h), the
 * payload never through MPI; across nodes, and always for "staged-mpi", MPI moves the chunks
 * between rings of pinned slots. From depth 3 a chunk's D2H, the previous one's transfer and
 * the one before's H2D overlap. */
#include "config.h"
#include "tags.h"

#include "chunk.h"
#include "cuda_util.h"
#include "path.h"
#include "pipeline.h"
#include "shm_channel.h"

#include <stdlib.h>
#include <string.h>


struct staged_priv {
    cudaStream_t d2h, h2d;
    int shm;     /* same node and not staged-mpi: the shared-memory channel where it can be had */
    int via_shm; /* this step's staging: the channel, or MPI */
    struct gx_shm_channel ch;
    struct gx_pipe_rings rings;
    char *stage;          /* a buffer of slot_bytes per slot of the rings */
    size_t slot_bytes;
};

extern const struct gx_path_ops gx_path_staged;

static int staged_open(struct gx_ep *ep, struct gx_err *err)
{
    if (ep->priv)
        return GX_OK;
    struct staged_priv *p = calloc(1, sizeof *p);
    if (!p)
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    ep->priv = p;
    p->shm = ep->ops == &gx_path_staged && ep->same_node;
    ep->via = "MPI";
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->d2h, cudaStreamNonBlocking));
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->h2d, cudaStreamNonBlocking));
    return GX_OK;
}

static void free_stage(struct staged_priv *p)
{
    if (p->stage)
        cudaFreeHost(p->stage);
    p->stage = NULL;
    p->slot_bytes = 0;
}

/* Pinned memory is costly to allocate: untimed, and only when the need grows. */
static int staged_prepare(struct gx_ep *ep, size_t bytes, struct gx_err *err)
{
    struct staged_priv *p = ep->priv;
    struct gx_chunking chunks;
    gx_chunking_init(&chunks, bytes, ep->chunk, ep->depth, 64);
    if (p->shm) {
        /* Agreed; where /dev/shm is too small, MPI staging, rather than no result. */
        int rc = gx_shm_channel_prepare(ep, &p->ch, "staged", chunks.depth, chunks.chunk, err);
        p->via_shm = rc == GX_OK;
        ep->via = p->via_shm ? "shared-memory slots" : "MPI";
        if (rc != GX_ESKIP)
            return rc;
    }
    if (chunks.chunk <= p->slot_bytes && chunks.depth <= p->rings.depth)
        return GX_OK;
    size_t slot_bytes = chunks.chunk > p->slot_bytes ? chunks.chunk : p->slot_bytes;
    free_stage(p);
    GX_TRY(gx_pipe_rings_grow(&p->rings, chunks.depth, err));
    int nslots = 2 * p->rings.depth;
    GX_CUDA_TRY(err, cudaHostAlloc((void **)&p->stage, (size_t)nslots * slot_bytes,
                                   cudaHostAllocPortable));
    p->slot_bytes = slot_bytes;
    for (int i = 0; i < nslots; i++)
        p->rings.slots[i].buf = p->stage + (size_t)i * slot_bytes;
    return GX_OK;
}

/* The MPI staging's hops (pipeline.h). */
struct staged_ctx {
    struct gx_ep *ep;
    struct staged_priv *p;
};

GX_PIPE_HOP(hop_d2h, struct staged_ctx,
            GX_CUDA_TRY(err, cudaMemcpyAsync(op->slot->buf, (char *)x->ep->src + op->off,
                                             op->len, cudaMemcpyDefault, x->p->d2h)))
GX_PIPE_HOP(hop_send, struct staged_ctx,
            GX_MPI_TRY(err, MPI_Isend(op->slot->buf, (int)op->len, MPI_BYTE, x->ep->peer,
                                      GX_TAG_STAGED, x->ep->job->comm, &op->slot->req)))
GX_PIPE_HOP(hop_recv, struct staged_ctx,
            GX_MPI_TRY(err, MPI_Irecv(op->slot->buf, (int)op->len, MPI_BYTE, x->ep->peer,
                                      GX_TAG_STAGED, x->ep->job->comm, &op->slot->req)))
GX_PIPE_HOP(hop_h2d, struct staged_ctx,
            GX_CUDA_TRY(err, cudaMemcpyAsync((char *)x->ep->dst + op->off, op->slot->buf,
                                             op->len, cudaMemcpyDefault, x->p->h2d)))

static cudaError_t engine_copy(void *dst, const void *src, size_t n, cudaStream_t s)
{
    return cudaMemcpyAsync(dst, src, n, cudaMemcpyDefault, s);
}

static int staged_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                       struct gx_err *err)
{
    struct staged_priv *p = ep->priv;
    struct gx_chunking pl;
    gx_chunking_init(&pl, bytes, ep->chunk, ep->depth, count);
    if (p->via_shm)
        return gx_shm_channel_xfer(&p->ch, ep, dir, &pl, pl.nchunks * (size_t)count,
                                   engine_copy, p->d2h, p->h2d, err);
    if (pl.chunk > p->slot_bytes)
        return gx_fail(err, GX_ERUNTIME, "staged: staging for %zu-byte chunks not prepared",
                       pl.chunk);
    struct staged_ctx x = {ep, p};
    const struct gx_pipe_hop send_hops[] = {{hop_d2h, p->d2h, -1}, {hop_send, NULL, -1}};
    const struct gx_pipe_hop recv_hops[] = {{hop_recv, NULL, -1}, {hop_h2d, p->h2d, -1}};
    return gx_pipe_transfer(ep, dir, pl.nchunks * (size_t)count, &pl, &p->rings,
                            (struct gx_pipe_dir){send_hops, 2},
                            (struct gx_pipe_dir){recv_hops, 2}, &x, err);
}

static void staged_close(struct gx_ep *ep)
{
    struct staged_priv *p = ep->priv;
    gx_pipe_rings_free(&p->rings);
    free_stage(p);
    gx_shm_channel_close(&p->ch);
    if (p->d2h)
        cudaStreamDestroy(p->d2h);
    if (p->h2d)
        cudaStreamDestroy(p->h2d);
    free(p);
    ep->priv = NULL;
}

/* One GPU: its D2H while its H2D runs. On two GPUs the pipeline beat that (docs/ceilings.md),
 * but no byte passes the sender's D2H alone (sender-d2h). Through MPI, shm-copy joins. */
#define STAGED_COPIES {"D2H while H2D", GX_CEIL_COPY}
#define STAGED_D2H {"the sender's D2H alone", GX_CEIL_SENDER_D2H}
#define STAGED_COPIES_BOTH {"D2H and H2D both ways", GX_CEIL_COPY_BIDIR}
#define STAGED_SHM_ONE_WAY                                                                    \
    {.when = GX_IF_SAME_GPU, .at_chunk = 1, .nstages = 1, .stages = {STAGED_COPIES}},          \
    {.when = GX_IF_SAME_NODE, .at_chunk = 1, .nstages = 1, .stages = {STAGED_D2H}}
#define STAGED_SHM_BOTH_WAYS                                                                  \
    {.when = GX_IF_SAME_NODE, .at_chunk = 1, .nstages = 1, .stages = {STAGED_COPIES_BOTH}}
#define STAGED_MPI_ONE_WAY                                                                    \
    {.when = GX_IF_SAME_GPU, .at_chunk = 1, .nstages = 2,                                    \
     .stages = {STAGED_COPIES, {"MPI's host memory copy", GX_CEIL_SHM_COPY}}},                \
    {.when = GX_IF_SAME_NODE, .at_chunk = 1, .nstages = 2,                                   \
     .stages = {STAGED_D2H, {"MPI's host memory copy", GX_CEIL_SHM_COPY}}}
#define STAGED_MPI_BOTH_WAYS                                                                  \
    {.when = GX_IF_SAME_NODE, .at_chunk = 1, .nstages = 2,                                   \
     .stages = {STAGED_COPIES_BOTH, {"MPI's host memory copy both ways", GX_CEIL_SHM_COPY_BIDIR}}}
#define STAGED_ACROSS(copies) {.at_chunk = 1, .nstages = 1, .stages = {copies}}
static const struct gx_bound_rule staged_one_way[] = {STAGED_SHM_ONE_WAY,
                                                      STAGED_ACROSS(STAGED_D2H)};
static const struct gx_bound_rule staged_both_ways[] = {STAGED_SHM_BOTH_WAYS,
                                                        STAGED_ACROSS(STAGED_COPIES_BOTH)};
static const struct gx_bound_rule staged_mpi_one_way[] = {STAGED_MPI_ONE_WAY,
                                                          STAGED_ACROSS(STAGED_D2H)};
static const struct gx_bound_rule staged_mpi_both_ways[] = {STAGED_MPI_BOTH_WAYS,
                                                            STAGED_ACROSS(STAGED_COPIES_BOTH)};

#define STAGED_OPS                                                                            \
    .default_src = GX_MEM_DEVICE, .default_dst = GX_MEM_DEVICE,                              \
    .flags = GX_PATH_CHUNKED | GX_PATH_NEEDS_GPU | GX_PATH_VIA_HOST,                         \
    .prepare = staged_prepare, .xfer = staged_xfer, .close = staged_close,                  \
    .chunk_policy = &gx_chunk_policy_pipelined, .nominal_us = 30

const struct gx_path_ops gx_path_staged = {
    .name = "staged",
    .what = "device -> pinned host -> pinned host -> device, in --chunk pieces with --depth "
            "slots in flight per side: through slots in shared memory on one node (no MPI "
            "copy), through MPI across nodes",
    STAGED_OPS,
    .open = staged_open,
    .nominal_gbps = 40,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(staged_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(staged_both_ways)},
};

const struct gx_path_ops gx_path_staged_mpi = {
    .name = "staged-mpi",
    .what = "device -> pinned host -> MPI -> pinned host -> device on one node too (staged as "
            "it crosses nodes), in --chunk pieces with --depth staging buffers in flight per side",
    STAGED_OPS,
    .open = staged_open,
    .nominal_gbps = 8,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(staged_mpi_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(staged_mpi_both_ways)},
};
