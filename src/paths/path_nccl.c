/* Path "nccl": ncclSend/ncclRecv on the pair's own communicator (as nccl-tests measures a pair)
 * or the job's (--nccl-comm job): NCCL gives a peer the channels the whole communicator
 * affords, so a pair can move less inside one of more ranks. */
#include "config.h"

#include "coll_data.h"
#include "cuda_util.h"
#include "gpu.h"
#include "mem.h"
#include "path.h"
#include "tags.h"
#include "topo.h"

#include <nccl.h>
#include <stdio.h>

#define GX_NCCL_TRY(err, call)                                                                \
    do {                                                                                      \
        ncclResult_t gx_nr_ = (call);                                                         \
        if (gx_nr_ != ncclSuccess)                                                            \
            return gx_fail((err), GX_ERUNTIME, "%s failed at %s:%d: %s", #call, __FILE__,     \
                           __LINE__, ncclGetErrorString(gx_nr_));                             \
    } while (0)

static ncclComm_t nccl_comm; /* --nccl-comm job */
static cudaStream_t nccl_stream;
static int nccl_job_made; /* --nccl-comm job, or one of its --vary values */
static char nccl_job_via[64];

/* Kept once made: probes between a step's groups would make a new one each time. A group's
 * (a collective's) is known by its leader and size, its peer -1. */
struct nccl_pair {
    int peer, initiator;
    int leader, nranks;
    ncclComm_t comm;
    int owned; /* the pair's own communicator, destroyed at teardown */
};
#define GX_NCCL_PAIRS 64
static struct nccl_pair nccl_pairs[GX_NCCL_PAIRS];
static int nccl_npairs;

static int shared_gpu(const struct gx_job *job, struct gx_err *why)
{
    const struct gx_topo_rank *t = job->topo;
    if (!t || !t->nshared)
        return GX_OK;
    int other = t->shared_with[0];
    return gx_fail(why, GX_ESKIP, "ranks %d and %d share GPU %s: NCCL needs a GPU of its own for "
                   "every rank", job->rank < other ? job->rank : other,
                   job->rank < other ? other : job->rank, t->busid);
}

static int nccl_setup(const struct gx_job *job, struct gx_err *err)
{
    /* Every rank needs a GPU for the communicator: agree before anyone calls into NCCL. */
    const char *absent = gx_gpu_absent_why();
    int rc = absent[0] ? gx_fail(err, GX_ESKIP, "%s", absent) : GX_OK;
    GX_TRY(gx_agree(job->comm, rc, err));
    /* NCCL refuses two ranks on one GPU: found before the collective init, agreed. */
    GX_TRY(gx_agree(job->comm, shared_gpu(job, err), err));
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&nccl_stream, cudaStreamNonBlocking));
    nccl_job_made = job->g && job->g->nccl_comm == GX_NCCL_COMM_JOB;
    for (int k = 0; job->g && job->g->vary.option == GX_VARY_NCCL_COMM && k < job->g->vary.n; k++)
        nccl_job_made |= job->g->vary.v[k].nccl_comm == GX_NCCL_COMM_JOB;
    if (!nccl_job_made)
        return GX_OK;
    snprintf(nccl_job_via, sizeof nccl_job_via, "the job's communicator of %d ranks", job->size);
    ncclUniqueId id;
    if (job->rank == 0)
        rc = ncclGetUniqueId(&id) == ncclSuccess
                 ? GX_OK
                 : gx_fail(err, GX_ERUNTIME, "ncclGetUniqueId failed");
    GX_TRY(gx_agree(job->comm, rc, err));
    GX_MPI_TRY(err, MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, job->comm));
    ncclResult_t nr = ncclCommInitRank(&nccl_comm, job->size, id, job->rank);
    if (nr != ncclSuccess) {
        nccl_comm = NULL;
        return gx_fail(err, GX_ESKIP, "ncclCommInitRank: %s (NCCL_DEBUG=WARN says more)",
                       ncclGetErrorString(nr));
    }
    return GX_OK;
}

static void nccl_teardown(void)
{
    for (int i = 0; i < nccl_npairs; i++)
        if (nccl_pairs[i].comm && nccl_pairs[i].owned)
            ncclCommDestroy(nccl_pairs[i].comm);
    nccl_npairs = 0;
    if (nccl_comm)
        ncclCommDestroy(nccl_comm);
    if (nccl_stream)
        cudaStreamDestroy(nccl_stream);
    nccl_comm = NULL;
    nccl_stream = NULL;
}

static int nccl_filter(struct gx_ep *ep, struct gx_err *why)
{
    if (ep->nccl_comm == GX_NCCL_COMM_JOB && !nccl_comm)
        return gx_fail(why, GX_ESKIP, "no NCCL communicator");
    if (!gx_mem_has(ep->src_kind, GX_MEM_GPU_ACCESSIBLE) ||
        !gx_mem_has(ep->dst_kind, GX_MEM_GPU_ACCESSIBLE))
        return gx_fail(why, GX_ESKIP, "NCCL needs GPU-accessible buffers, not pageable memory");
    return GX_OK;
}

/* Both sides always exchange, so that neither waits for the other. */
static int open_pair(struct gx_ep *ep, struct nccl_pair *p, struct gx_err *err)
{
    struct {
        int ok;
        ncclUniqueId id;
    } m = {0};
    if (ep->initiator) {
        m.ok = ncclGetUniqueId(&m.id) == ncclSuccess;
        GX_MPI_TRY(err, MPI_Send(&m, (int)sizeof m, MPI_BYTE, ep->peer, GX_TAG_NCCL_ID,
                                 ep->job->comm));
    } else {
        GX_MPI_TRY(err, MPI_Recv(&m, (int)sizeof m, MPI_BYTE, ep->peer, GX_TAG_NCCL_ID,
                                 ep->job->comm, MPI_STATUS_IGNORE));
    }
    if (!m.ok)
        return gx_fail(err, GX_ESKIP, "ncclGetUniqueId failed on rank %d",
                       ep->initiator ? ep->job->rank : ep->peer);
    ncclResult_t nr = ncclCommInitRank(&p->comm, 2, m.id, ep->initiator ? 0 : 1);
    if (nr != ncclSuccess) {
        p->comm = NULL;
        return gx_fail(err, GX_ESKIP, "ncclCommInitRank of the pair %d:%d: %s (NCCL_DEBUG=WARN "
                       "says more)", ep->job->rank, ep->peer, ncclGetErrorString(nr));
    }
    return GX_OK;
}

/* The group's first rank makes the id; every member learns it, or that there is none. */
static int open_group(struct gx_ep *ep, struct nccl_pair *p, struct gx_err *err)
{
    struct {
        int ok;
        ncclUniqueId id;
    } m = {0};
    if (ep->grank == 0)
        m.ok = ncclGetUniqueId(&m.id) == ncclSuccess;
    GX_MPI_TRY(err, MPI_Bcast(&m, (int)sizeof m, MPI_BYTE, 0, ep->comm));
    if (!m.ok)
        return gx_fail(err, GX_ESKIP, "ncclGetUniqueId failed on rank %d", ep->leader);
    ncclResult_t nr = ncclCommInitRank(&p->comm, ep->nranks, m.id, ep->grank);
    if (nr != ncclSuccess) {
        p->comm = NULL;
        return gx_fail(err, GX_ESKIP, "ncclCommInitRank of the group of %d ranks from rank %d: "
                       "%s (NCCL_DEBUG=WARN says more)", ep->nranks, ep->leader,
                       ncclGetErrorString(nr));
    }
    return GX_OK;
}

static int nccl_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                     struct gx_err *err)
{
    const struct nccl_pair *p = ep->priv;
    ncclComm_t comm = p->comm;
    int peer = p->owned ? (ep->initiator ? 1 : 0) : ep->peer;
    GX_NCCL_TRY(err, ncclGroupStart());
    for (int m = 0; m < count; m++) {
        if (dir & GX_DIR_SEND)
            GX_NCCL_TRY(err, ncclSend(ep->src, bytes, ncclChar, peer, comm, nccl_stream));
        if (dir & GX_DIR_RECV)
            GX_NCCL_TRY(err, ncclRecv(ep->dst, bytes, ncclChar, peer, comm, nccl_stream));
    }
    GX_NCCL_TRY(err, ncclGroupEnd());
    GX_CUDA_TRY(err, cudaStreamSynchronize(nccl_stream));
    return GX_OK;
}

/* A pair's communicator is known by its peer and side, a group's by its first rank and size. */
static int same_comm(const struct nccl_pair *a, const struct nccl_pair *b)
{
    return a->peer == b->peer &&
           (a->peer >= 0 ? a->initiator == b->initiator && a->owned == b->owned
                         : a->leader == b->leader && a->nranks == b->nranks);
}

static int nccl_open(struct gx_ep *ep, struct gx_err *err)
{
    int job_mode = ep->nccl_comm == GX_NCCL_COMM_JOB;
    struct nccl_pair key =
        ep->group ? (struct nccl_pair){.peer = -1, .leader = ep->leader, .nranks = ep->nranks,
                                       .owned = 1}
                  : (struct nccl_pair){.peer = ep->peer, .initiator = ep->initiator,
                                       .comm = nccl_comm, .owned = !job_mode};
    ep->via = ep->group ? "the group's own communicator"
              : job_mode ? nccl_job_via : "the pair's own communicator of 2 ranks";
    for (int i = 0; i < nccl_npairs; i++)
        if (same_comm(&nccl_pairs[i], &key) && nccl_pairs[i].comm) {
            ep->priv = &nccl_pairs[i];
            return GX_OK;
        }
    if (nccl_npairs == GX_NCCL_PAIRS && ep->group)
        return gx_fail(err, GX_ESKIP, "more than %d communicators with rank %d: no NCCL "
                       "communicator left for this group", GX_NCCL_PAIRS, ep->job->rank);
    if (nccl_npairs == GX_NCCL_PAIRS)
        return gx_fail(err, GX_ESKIP, "more than %d pairs with rank %d: no NCCL communicator "
                       "left for this one (--nccl-comm job has one for all)", GX_NCCL_PAIRS,
                       ep->job->rank);
    struct nccl_pair *p = &nccl_pairs[nccl_npairs];
    *p = key;
    if (ep->group)
        GX_TRY(open_group(ep, p, err));
    else if (p->owned)
        GX_TRY(open_pair(ep, p, err));
    ep->priv = p;
    if (!ep->group) /* the pair's first transfer connects it: untimed, here */
        GX_TRY(nccl_xfer(ep, GX_DIR_BOTH, 1, 1, err));
    nccl_npairs++;
    return GX_OK;
}

/* NCCL's alltoall as nccl-tests makes it: a send and a receive with every rank, grouped. */
static ncclResult_t nccl_alltoall(const void *in, void *out, size_t count, int nranks,
                                  ncclComm_t comm, cudaStream_t stream)
{
    ncclResult_t r = ncclGroupStart();
    for (int j = 0; r == ncclSuccess && j < nranks; j++) {
        r = ncclSend((const char *)in + (size_t)j * count, count, ncclChar, j, comm, stream);
        if (r == ncclSuccess)
            r = ncclRecv((char *)out + (size_t)j * count, count, ncclChar, j, comm, stream);
    }
    ncclResult_t end = ncclGroupEnd();
    return r != ncclSuccess ? r : end;
}

/* Launched back to back on the stream, then one synchronization, as nccl-tests times them; the
 * call is the collective's row's (coll.h). */
static int nccl_collective(struct gx_ep *ep, enum gx_coll c, int in_place, int times,
                           size_t bytes, struct gx_err *err)
{
    ncclComm_t comm = ((const struct nccl_pair *)ep->priv)->comm;
    cudaStream_t stream = nccl_stream;
    struct gx_coll_io io;
    gx_coll_io(ep, c, in_place, bytes, &io);
    void *in = io.in, *out = io.out;
    size_t count = gx_coll_count(c, ep->nranks, bytes);
    ncclDataType_t type = gx_coll_table[c].sums ? ncclFloat : ncclChar;
    int nranks = ep->nranks;
    if (in_place && !gx_coll_table[c].nccl_in_place)
        return gx_fail(err, GX_ESKIP, "NCCL has no in-place %s", gx_coll_table[c].name);
#define GX_COLL_NCCL(ID, name, sums, shape, root, busbw, what, in_place_what, across,         \
                     nccl_in_place, nccl, ...)                                                \
    case GX_COLL_##ID:                                                                        \
        GX_NCCL_TRY(err, nccl);                                                               \
        break;
    for (int i = 0; i < times; i++) {
        switch (c) {
            GX_COLLECTIVES(GX_COLL_NCCL)
        default:
            return gx_fail(err, GX_ERUNTIME, "no collective %d", (int)c);
        }
    }
    GX_CUDA_TRY(err, cudaStreamSynchronize(stream));
    return GX_OK;
}

static void nccl_close(struct gx_ep *ep)
{
    ep->priv = NULL; /* the pair's communicator stays for the job (nccl_teardown) */
}

/* One node: the peer copy between the GPUs; across nodes: none measured (the network). */
static const struct gx_bound_rule nccl_one_way[] = {
    {.when = GX_IF_SAME_NODE, .nstages = 1, .stages = {{"peer copy", GX_CEIL_PEER}}},
    {.none = GX_NONE_ACROSS_NODES},
};
static const struct gx_bound_rule nccl_both_ways[] = {
    {.when = GX_IF_SAME_NODE, .nstages = 1,
     .stages = {{"peer copy both ways", GX_CEIL_PEER_BIDIR}}},
    {.none = GX_NONE_ACROSS_NODES},
};

const struct gx_path_ops gx_path_nccl = {
    .name = "nccl",
    .what = "ncclSend/ncclRecv on the pair's own communicator (--nccl-comm)",
    .default_src = GX_MEM_DEVICE,
    .default_dst = GX_MEM_DEVICE,
    .flags = GX_PATH_NEEDS_GPU,
    .setup = nccl_setup,
    .teardown = nccl_teardown,
    .filter = nccl_filter,
    .open = nccl_open,
    .xfer = nccl_xfer,
    .collective = nccl_collective,
    .close = nccl_close,
    .nominal_gbps = 350,
    .nominal_us = 20,
    /* Every latency step begins cold: its first samples would pass for a disturbance. */
    .settle_s = 0.005,
    .bounds = {[GX_FAMILY_ONE_WAY] = GX_BOUNDS(nccl_one_way),
               [GX_FAMILY_BOTH_WAYS] = GX_BOUNDS(nccl_both_ways)},
};
