/* Path "zerocopy": no cudaMemcpy anywhere; SM kernels move the data through mapped host memory.
 *
 * The sender's kernel writes the message from its GPU into an outbox of page-locked host
 * memory mapped into the GPU; the receiver's kernel reads it into its GPU. On one node the
 * outbox is a POSIX shared-memory segment that both ranks register with cudaHostRegister, so
 * the receiver's GPU reads the sender's host memory directly; across nodes MPI moves the outbox
 * into the receiver's mapped inbox. The message is cut into --chunk pieces that travel through
 * a ring of --depth slots, so the sender writes piece k+1 while the receiver reads piece k;
 * "free" and "full" tokens over MPI keep them apart. */
#include "config.h"

#include "chunk.h"
#include "cuda_util.h"
#include "gpu.h"
#include "kernels.h"
#include "mpi_util.h"
#include "mem.h"
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GX_TAG_ZC_FREE 130
#define GX_TAG_ZC_FULL 131
#define GX_TAG_ZC_NAME 132
#define GX_TAG_ZC_DATA 133
#define NSLOTS 2

struct zc_segment {
    void *host;           /* NSLOTS x cap bytes */
    void *dev;            /* the same memory as the GPU addresses it */
    size_t bytes;
    int shm;              /* 1: POSIX shm mapping, 0: cudaHostAlloc */
};

struct zc_priv {
    struct zc_segment out, in; /* in: the peer's outbox (same node) or my MPI inbox */
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

static void unmap(struct zc_segment *s)
{
    if (!s->host)
        return;
    if (s->shm) {
        cudaHostUnregister(s->host);
        munmap(s->host, s->bytes);
    } else {
        cudaFreeHost(s->host);
    }
    memset(s, 0, sizeof *s);
}

static int map_shm(const char *name, size_t bytes, int create, struct zc_segment *s,
                   struct gx_err *err)
{
    int fd = shm_open(name, create ? O_RDWR | O_CREAT | O_EXCL : O_RDWR, 0600);
    if (fd < 0)
        return gx_fail(err, GX_ESKIP, "shm_open(%s): %s", name, strerror(errno));
    if (create && ftruncate(fd, (off_t)bytes) != 0) {
        int e = errno;
        close(fd);
        return gx_fail(err, GX_ESKIP, "ftruncate(%s, %zu): %s (is /dev/shm large enough?)", name,
                       bytes, strerror(e));
    }
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return gx_fail(err, GX_ESKIP, "mmap(%s, %zu): %s", name, bytes, strerror(errno));
    s->host = p;
    s->bytes = bytes;
    s->shm = 1;
    if (create)
        memset(p, 0, bytes); /* commit the pages now, outside any timed region */
    GX_CUDA_TRY(err, cudaHostRegister(p, bytes, cudaHostRegisterMapped | cudaHostRegisterPortable));
    GX_CUDA_TRY(err, cudaHostGetDevicePointer(&s->dev, p, 0));
    return GX_OK;
}

static int map_pinned(size_t bytes, struct zc_segment *s, struct gx_err *err)
{
    GX_CUDA_TRY(err, cudaHostAlloc(&s->host, bytes, cudaHostAllocMapped | cudaHostAllocPortable));
    s->bytes = bytes;
    GX_CUDA_TRY(err, cudaHostGetDevicePointer(&s->dev, s->host, 0));
    return GX_OK;
}

/* Same node: each side creates its outbox and maps the peer's; the names are unlinked once
 * both are mapped, so nothing is left in /dev/shm even if the job dies later. */
static int open_same_node(struct gx_ep *ep, struct zc_priv *p, size_t bytes, struct gx_err *err)
{
    char mine[64], theirs[64];
    snprintf(mine, sizeof mine, "/gpuxfer-%ld-%d-zc", (long)getpid(), ep->job->rank);
    shm_unlink(mine);
    int rc = map_shm(mine, bytes, 1, &p->out, err);
    GX_MPI_TRY(err, MPI_Sendrecv(mine, sizeof mine, MPI_CHAR, ep->peer, GX_TAG_ZC_NAME, theirs,
                                 sizeof theirs, MPI_CHAR, ep->peer, GX_TAG_ZC_NAME, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    struct gx_err peer_err = {0};
    int prc = rc == GX_OK ? GX_OK : GX_ESKIP;
    /* The peer maps only if this side managed to create: tell it first. */
    int peer_ok = 0, ok = rc == GX_OK;
    GX_MPI_TRY(err, MPI_Sendrecv(&ok, 1, MPI_INT, ep->peer, GX_TAG_ZC_NAME, &peer_ok, 1, MPI_INT,
                                 ep->peer, GX_TAG_ZC_NAME, ep->job->comm, MPI_STATUS_IGNORE));
    if (rc == GX_OK && peer_ok)
        prc = map_shm(theirs, bytes, 0, &p->in, &peer_err);
    int both = prc == GX_OK && peer_ok, done = 0;
    GX_MPI_TRY(err, MPI_Sendrecv(&both, 1, MPI_INT, ep->peer, GX_TAG_ZC_NAME, &done, 1, MPI_INT,
                                 ep->peer, GX_TAG_ZC_NAME, ep->job->comm, MPI_STATUS_IGNORE));
    shm_unlink(mine);
    if (rc != GX_OK)
        return rc;
    if (prc != GX_OK) {
        *err = peer_err;
        return prc;
    }
    if (!peer_ok || !done)
        return gx_fail(err, GX_ESKIP, "rank %d could not share its zero-copy segment", ep->peer);
    return GX_OK;
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
    unmap(&p->out);
    unmap(&p->in);
    size_t bytes = NSLOTS * ep->cap;
    if (ep->same_node)
        return open_same_node(ep, p, bytes, err);
    GX_TRY(map_pinned(bytes, &p->out, err));
    return map_pinned(bytes, &p->in, err);
}

/* The ring: slots of one chunk each inside the 2 x cap bytes mapped at open, as many as
 * --depth asks and the segment holds. */
struct zc_ring {
    struct gx_chunk_plan plan;
    size_t slot_bytes, ops;
    int nslots;
};

static void ring_init(const struct gx_ep *ep, int count, size_t bytes, struct zc_ring *r)
{
    gx_chunk_plan_init(&r->plan, bytes, ep->chunk, ep->depth, count);
    r->slot_bytes = r->plan.chunk;
    size_t fit = NSLOTS * ep->cap / r->slot_bytes;
    r->nslots = (size_t)r->plan.depth < fit ? r->plan.depth : (int)fit;
    r->ops = r->plan.nchunks * (size_t)count;
}

/* Op i is chunk i % nchunks of a message; it travels through slot i % nslots. The sender's
 * kernel fills slot k+1 while the receiver's kernel drains slot k: within one message too,
 * so that the D2H and H2D halves of a large message overlap. */
static int zc_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes, struct gx_err *err)
{
    struct zc_priv *p = ep->priv;
    MPI_Comm comm = ep->job->comm;
    struct zc_ring r;
    ring_init(ep, count, bytes, &r);
    int token = 0, got, ns = r.nslots;
    GX_TRY(gx_requests_reserve(&p->reqs, 2 * r.ops + 2 * (size_t)ns + 2, err));
    /* req: [0, ns) the inbox receives (remote), [ns, 2ns) the outbox sends (remote), then
     * tokens (same node) */
    MPI_Request *req = p->reqs.req, *inbox = req, *outbox = req + ns;
    for (int k = 0; k < 2 * ns; k++)
        req[k] = MPI_REQUEST_NULL;
    int n = 2 * ns;
    char *out_host = p->out.host, *out_dev = p->out.dev, *in_dev = p->in.dev;
    char *in_host = p->in.host;
    int remote = !ep->same_node;
    /* The receiver frees every slot up front (same node) or posts their receives (remote). */
    if (dir & GX_DIR_RECV)
        for (size_t i = 0; i < r.ops && i < (size_t)ns; i++) {
            size_t len = gx_chunk_length(&r.plan, i % r.plan.nchunks);
            if (remote)
                GX_MPI_TRY(err, MPI_Irecv(in_host + i * r.slot_bytes, (int)len, MPI_BYTE,
                                          ep->peer, GX_TAG_ZC_DATA, comm, &inbox[i]));
            else
                GX_MPI_TRY(err, MPI_Isend(&token, 1, MPI_INT, ep->peer, GX_TAG_ZC_FREE, comm,
                                          &req[n++]));
        }
    for (size_t i = 0; i < r.ops; i++) {
        size_t c = i % r.plan.nchunks, k = i % (size_t)ns;
        size_t off = gx_chunk_offset(&r.plan, c), len = gx_chunk_length(&r.plan, c);
        size_t slot = k * r.slot_bytes;
        if (dir & GX_DIR_SEND) {
            if (remote)
                GX_MPI_TRY(err, MPI_Wait(&outbox[k], MPI_STATUS_IGNORE));
            else
                GX_MPI_TRY(err, MPI_Recv(&got, 1, MPI_INT, ep->peer, GX_TAG_ZC_FREE, comm,
                                         MPI_STATUS_IGNORE));
            GX_CUDA_TRY(err, gx_kernel_copy(out_dev + slot, (char *)ep->src + off, len, p->wr));
            GX_CUDA_TRY(err, cudaStreamSynchronize(p->wr));
            if (remote)
                GX_MPI_TRY(err, MPI_Isend(out_host + slot, (int)len, MPI_BYTE, ep->peer,
                                          GX_TAG_ZC_DATA, comm, &outbox[k]));
            else
                GX_MPI_TRY(err, MPI_Isend(&token, 1, MPI_INT, ep->peer, GX_TAG_ZC_FULL, comm,
                                          &req[n++]));
        }
        if (dir & GX_DIR_RECV) {
            if (remote)
                GX_MPI_TRY(err, MPI_Wait(&inbox[k], MPI_STATUS_IGNORE));
            else
                GX_MPI_TRY(err, MPI_Recv(&got, 1, MPI_INT, ep->peer, GX_TAG_ZC_FULL, comm,
                                         MPI_STATUS_IGNORE));
            GX_CUDA_TRY(err, gx_kernel_copy((char *)ep->dst + off, in_dev + slot, len, p->rd));
            GX_CUDA_TRY(err, cudaStreamSynchronize(p->rd));
            if (i + (size_t)ns < r.ops) {
                size_t next = gx_chunk_length(&r.plan, (i + (size_t)ns) % r.plan.nchunks);
                if (remote)
                    GX_MPI_TRY(err, MPI_Irecv(in_host + slot, (int)next, MPI_BYTE, ep->peer,
                                              GX_TAG_ZC_DATA, comm, &inbox[k]));
                else
                    GX_MPI_TRY(err, MPI_Isend(&token, 1, MPI_INT, ep->peer, GX_TAG_ZC_FREE, comm,
                                              &req[n++]));
            }
        }
    }
    GX_MPI_TRY(err, MPI_Waitall(n - ns, req + ns, MPI_STATUSES_IGNORE));
    return GX_OK;
}

static void zc_close(struct gx_ep *ep)
{
    struct zc_priv *p = ep->priv;
    if (!p)
        return;
    unmap(&p->out);
    unmap(&p->in);
    if (p->wr)
        cudaStreamDestroy(p->wr);
    if (p->rd)
        cudaStreamDestroy(p->rd);
    gx_requests_free(&p->reqs);
    free(p);
    ep->priv = NULL;
}



/* The sender's kernel writes mapped host memory, the receiver's kernel reads it: bounded by
 * what the SMs reach there (the calibration's gx_kernel_copy on mapped pinned memory, this
 * path's own mover), the slower of the sender's write and the receiver's read; across nodes
 * MPI's host-to-host stage joins. Rated at the chunk, the piece each kernel moves. Both ways:
 * every GPU writes its outbox and reads its inbox at once, each way over its own direction of
 * the link, so each per-GPU stage counts twice against the total. */
#define ZC_WRITE(at) {"kernel writing mapped host", GX_CEIL_MAPPED_WRITE, at, 1}
#define ZC_READ(at) {"kernel reading mapped host", GX_CEIL_MAPPED_READ, at, 1}
#define ZC_WRITE_BOTH(at) {"kernel writing mapped host (both ways)", GX_CEIL_MAPPED_WRITE, at, 2}
#define ZC_READ_BOTH(at) {"kernel reading mapped host (both ways)", GX_CEIL_MAPPED_READ, at, 2}
static const struct gx_bound_rule zc_one_way[] = {
    {.when = GX_IF_SAME_NODE, .at_chunk = 1, .nstages = 2,
     .stages = {ZC_WRITE(GX_AT_INITIATOR), ZC_READ(GX_AT_PEER)}},
    {.at_chunk = 1, .nstages = 3,
     .stages = {ZC_WRITE(GX_AT_INITIATOR), {"MPI host-to-host", GX_CEIL_MPI_BW, GX_AT_PAIR, 1},
                ZC_READ(GX_AT_PEER)}},
};
static const struct gx_bound_rule zc_both_ways[] = {
    {.when = GX_IF_SAME_NODE, .at_chunk = 1, .nstages = 4,
     .stages = {ZC_WRITE_BOTH(GX_AT_INITIATOR), ZC_WRITE_BOTH(GX_AT_PEER),
                ZC_READ_BOTH(GX_AT_INITIATOR), ZC_READ_BOTH(GX_AT_PEER)}},
    {.at_chunk = 1, .nstages = 5,
     .stages = {ZC_WRITE_BOTH(GX_AT_INITIATOR), ZC_WRITE_BOTH(GX_AT_PEER),
                {"MPI host-to-host both ways", GX_CEIL_MPI_BIBW, GX_AT_PAIR, 1},
                ZC_READ_BOTH(GX_AT_INITIATOR), ZC_READ_BOTH(GX_AT_PEER)}},
};

const struct gx_path_ops gx_path_zerocopy = {
    .name = "zerocopy",
    .what = "GPU kernels write/read mapped host memory (shared between ranks on one node, moved "
            "by MPI across nodes); no cudaMemcpy (chunked through a ring of --depth slots)",
    .default_src = GX_MEM_DEVICE,
    .default_dst = GX_MEM_DEVICE,
    .flags = GX_PATH_CHUNKED | GX_PATH_NEEDS_GPU,
    .filter = zc_filter,
    .open = zc_open,
    .xfer = zc_xfer,
    .close = zc_close,
    .chunk_policy = &gx_chunk_policy_pipelined,
    .nominal_gbps = 40,
    .nominal_us = 20,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(zc_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(zc_both_ways)},
};
