/* Path "zerocopy": no cudaMemcpy; SM kernels move the data through mapped host memory, in
 * chunks through a ring of slots. On one node the receiver's kernel reads the sender's shared
 * outbox (shm_channel.h), with no MPI or host synchronization between chunks; across nodes MPI
 * moves the outbox into the receiver's mapped inbox. */
#include "config.h"
#include "tags.h"

#include "chunk.h"
#include "cuda_util.h"
#include "kernels.h"
#include "mpi_util.h"
#include "mem.h"
#include "path.h"
#include "shm_channel.h"

#include <stdlib.h>
#include <string.h>

#define NSLOTS 2

struct zc_priv {
    struct gx_shm_segment out, in; /* across nodes: my outbox and my MPI inbox */
    struct gx_shm_channel ch;      /* on one node */
    cudaStream_t wr, rd;
    struct gx_requests reqs;
};

static int zc_filter(struct gx_ep *ep, struct gx_err *why)
{
    if (!gx_mem_has(ep->src_kind, GX_MEM_GPU_ALLOCATED) ||
        !gx_mem_has(ep->dst_kind, GX_MEM_GPU_ALLOCATED))
        return gx_fail(why, GX_ESKIP, "zerocopy moves device memory through mapped host memory; "
                       "--mem must be device");
    return GX_OK;
}

/* As --depth asks: else depth 4 would run as 2 where the chunk is the whole message. */
struct zc_ring {
    struct gx_chunking chunks;
    size_t slot_bytes, ops;
    int nslots;
};

static void ring_init(const struct gx_ep *ep, int count, size_t bytes, struct zc_ring *r)
{
    gx_chunking_init(&r->chunks, bytes, ep->chunk, ep->depth, count);
    r->slot_bytes = r->chunks.chunk;
    r->nslots = r->chunks.depth < GX_SHM_RING_MAX_SLOTS ? r->chunks.depth : GX_SHM_RING_MAX_SLOTS;
    r->ops = r->chunks.nchunks * (size_t)count;
}

static int zc_open(struct gx_ep *ep, struct gx_err *err)
{
    struct zc_priv *p = ep->priv;
    if (!p) {
        if (!(p = calloc(1, sizeof *p)))
            return gx_fail(err, GX_ERUNTIME, "out of host memory");
        ep->priv = p;
        GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->wr, cudaStreamNonBlocking));
        GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&p->rd, cudaStreamNonBlocking));
    }
    ep->via = ep->same_node ? "shared-memory outbox" : "MPI";
    return GX_OK; /* the outbox comes with the ring's geometry, in prepare */
}

/* NSLOTS messages of the largest size so far: a search's next candidates seldom need new ones. */
static int zc_grow_remote(struct zc_priv *p, const struct gx_ep *ep, const struct zc_ring *r,
                          struct gx_err *err)
{
    size_t need = (size_t)r->nslots * r->slot_bytes;
    if (p->out.host && p->out.bytes >= need && p->in.bytes >= need)
        return GX_OK;
    size_t bytes = NSLOTS * ep->cap > need ? NSLOTS * ep->cap : need;
    gx_shm_segment_release(&p->out);
    gx_shm_segment_release(&p->in);
    GX_TRY(gx_shm_segment_pinned(bytes, &p->out, err));
    return gx_shm_segment_pinned(bytes, &p->in, err);
}

static int zc_prepare(struct gx_ep *ep, size_t bytes, struct gx_err *err)
{
    struct zc_priv *p = ep->priv;
    struct zc_ring r;
    ring_init(ep, 64, bytes, &r);
    if (!ep->same_node)
        return zc_grow_remote(p, ep, &r, err);
    p->ch.kernel_addr = 1; /* kernels address the slots as the GPU maps them */
    /* The ring's slots alone, as staged's: room for whole messages is set up again in every
     * visit, seconds at 1 GiB, where the chunk chosen needs a few MiB. */
    return gx_shm_channel_prepare(ep, &p->ch, "zc", r.nslots, r.slot_bytes, err);
}

/* Across nodes, filling, MPI and draining overlap within one message too. */
static int zc_xfer_remote(struct gx_ep *ep, enum gx_dir dir, const struct zc_ring *r,
                          struct gx_err *err)
{
    struct zc_priv *p = ep->priv;
    MPI_Comm comm = ep->job->comm;
    int ns = r->nslots;
    GX_TRY(gx_requests_reserve(&p->reqs, 2 * (size_t)ns, err));
    MPI_Request *inbox = p->reqs.req, *outbox = p->reqs.req + ns;
    for (int k = 0; k < 2 * ns; k++)
        p->reqs.req[k] = MPI_REQUEST_NULL;
    char *out_host = p->out.host, *out_dev = p->out.dev, *in_dev = p->in.dev;
    char *in_host = p->in.host;
    if (dir & GX_DIR_RECV)
        for (size_t i = 0; i < r->ops && i < (size_t)ns; i++)
            GX_MPI_TRY(err, MPI_Irecv(in_host + i * r->slot_bytes,
                                      (int)gx_chunk_length(&r->chunks, i % r->chunks.nchunks),
                                      MPI_BYTE, ep->peer, GX_TAG_ZC_DATA, comm, &inbox[i]));
    for (size_t i = 0; i < r->ops; i++) {
        size_t c = i % r->chunks.nchunks, k = i % (size_t)ns;
        size_t off = gx_chunk_offset(&r->chunks, c), len = gx_chunk_length(&r->chunks, c);
        size_t slot = k * r->slot_bytes;
        if (dir & GX_DIR_SEND) {
            GX_MPI_TRY(err, MPI_Wait(&outbox[k], MPI_STATUS_IGNORE));
            GX_CUDA_TRY(err, gx_kernel_copy(out_dev + slot, (char *)ep->src + off, len, p->wr));
            GX_CUDA_TRY(err, cudaStreamSynchronize(p->wr));
            GX_MPI_TRY(err, MPI_Isend(out_host + slot, (int)len, MPI_BYTE, ep->peer,
                                      GX_TAG_ZC_DATA, comm, &outbox[k]));
        }
        if (dir & GX_DIR_RECV) {
            GX_MPI_TRY(err, MPI_Wait(&inbox[k], MPI_STATUS_IGNORE));
            GX_CUDA_TRY(err, gx_kernel_copy((char *)ep->dst + off, in_dev + slot, len, p->rd));
            GX_CUDA_TRY(err, cudaStreamSynchronize(p->rd));
            if (i + (size_t)ns < r->ops) {
                size_t next = gx_chunk_length(&r->chunks, (i + (size_t)ns) % r->chunks.nchunks);
                GX_MPI_TRY(err, MPI_Irecv(in_host + slot, (int)next, MPI_BYTE, ep->peer,
                                          GX_TAG_ZC_DATA, comm, &inbox[k]));
            }
        }
    }
    GX_MPI_TRY(err, gx_mpi_waitall(ns, outbox));
    return GX_OK;
}

static int zc_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes, struct gx_err *err)
{
    struct zc_priv *p = ep->priv;
    struct zc_ring r;
    ring_init(ep, count, bytes, &r);
    if (!ep->same_node)
        return zc_xfer_remote(ep, dir, &r, err);
    return gx_shm_channel_xfer(&p->ch, ep, dir, &r.chunks, r.ops, gx_kernel_copy, p->wr, p->rd,
                               err);
}

static void zc_close(struct gx_ep *ep)
{
    struct zc_priv *p = ep->priv;
    gx_shm_segment_release(&p->out);
    gx_shm_segment_release(&p->in);
    gx_shm_channel_close(&p->ch);
    if (p->wr)
        cudaStreamDestroy(p->wr);
    if (p->rd)
        cudaStreamDestroy(p->rd);
    gx_requests_free(&p->reqs);
    free(p);
    ep->priv = NULL;
}

/* What the SMs reach writing and reading mapped host memory at once, at the chunk. */
static const struct gx_bound_rule zc_one_way[] = {
    {.at_chunk = 1,
     .nstages = 1,
     .stages = {{"kernels writing and reading mapped host", GX_CEIL_MAPPED}}},
};
static const struct gx_bound_rule zc_both_ways[] = {
    {.at_chunk = 1, .nstages = 1,
     .stages = {{"kernels writing and reading mapped host both ways", GX_CEIL_MAPPED_BIDIR}}},
};

const struct gx_path_ops gx_path_zerocopy = {
    .name = "zerocopy",
    .what = "GPU kernels write/read mapped host memory (shared between ranks on one node, moved "
            "by MPI across nodes); no cudaMemcpy (chunked through a ring of --depth slots)",
    .default_src = GX_MEM_DEVICE,
    .default_dst = GX_MEM_DEVICE,
    .flags = GX_PATH_CHUNKED | GX_PATH_NEEDS_GPU | GX_PATH_VIA_HOST,
    .filter = zc_filter,
    .open = zc_open,
    .prepare = zc_prepare,
    .xfer = zc_xfer,
    .close = zc_close,
    .chunk_policy = &gx_chunk_policy_pipelined,
    .nominal_gbps = 40,
    .nominal_us = 20,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(zc_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(zc_both_ways)},
};
