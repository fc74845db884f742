#include "config.h"
#include "endpoint.h"

#include "gpu_state.h"
#include "mem.h"
#include "probe.h"
#include "tags.h"
#ifdef HAVE_CUDA
#include "cuda_util.h"
#include "kernels.h"
#endif

#include <string.h>

/* GPUXFER_FAULT=cuda-sticky: a real sticky error, as after a faulty kernel. */
static int launch_illegal_access(struct gx_err *err)
{
#ifdef HAVE_CUDA
    cudaStream_t s;
    GX_TRY(gx_cuda_util_stream(&s, err));
    GX_CUDA_TRY(err, gx_kernel_illegal_access(s));
    GX_CUDA_TRY(err, cudaStreamSynchronize(s));
    return gx_fail(err, GX_ERUNTIME, "injected cuda-sticky: the illegal-access kernel completed "
                   "without an error");
#else
    return gx_fail(err, GX_ERUNTIME, "injected cuda-sticky: needs CUDA, which this build lacks");
#endif
}

int gx_pair_agree(struct gx_ep *ep, int rc, struct gx_err *err)
{
    if (ep->group)
        return gx_agree(ep->comm, rc, err);
    struct {
        int rc;
        char msg[sizeof err->msg];
    } mine, theirs;
    mine.rc = rc;
    memset(mine.msg, 0, sizeof mine.msg);
    if (rc != GX_OK)
        memcpy(mine.msg, err->msg, sizeof mine.msg);
    GX_MPI_TRY(err, MPI_Sendrecv(&mine, (int)sizeof mine, MPI_BYTE, ep->peer, GX_TAG_PAIR_AGREE,
                                 &theirs, (int)sizeof theirs, MPI_BYTE, ep->peer,
                                 GX_TAG_PAIR_AGREE, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    if (rc != GX_OK)
        return rc;
    if (theirs.rc != GX_OK) {
        err->rc = theirs.rc;
        snprintf(err->msg, sizeof err->msg, "rank %d: %.480s", ep->peer, theirs.msg);
    }
    return theirs.rc;
}

int gx_inject_gpu_fault(struct gx_ep *ep, size_t bytes, enum gx_fault_kind kind,
                        struct gx_err *err)
{
    if (gx_fault_gpu_due(bytes) && gx_fault_get()->kind == kind &&
        !(ep->ops->flags & GX_PATH_PROBE))
        GX_TRY(gx_pair_agree(ep, gx_fault_gpu(ep->job->rank, bytes, launch_illegal_access, err),
                              err));
    return GX_OK;
}

static void free_buffers(struct gx_ep *ep)
{
    if (ep->src)
        gx_mem_table[ep->src_kind]->release(ep->src);
    if (ep->dst)
        gx_mem_table[ep->dst_kind]->release(ep->dst);
    ep->src = ep->dst = NULL;
    ep->cap = 0;
}

static void close_endpoint(struct gx_ep *ep)
{
    if (ep->priv)
        ep->ops->close(ep);
    free_buffers(ep);
}

int gx_ensure_capacity(struct gx_ep *ep, size_t bytes, struct gx_err *err)
{
    int rc = GX_OK;
    /* Whatever the memory kind, so that CI exercises it on pageable memory. */
    GX_TRY(gx_inject_gpu_fault(ep, bytes, GX_FAULT_CUDA_OOM, err));
    if (bytes > ep->cap) {
        free_buffers(ep);
        rc = gx_mem_table[ep->src_kind]->alloc(bytes, &ep->src, err);
        if (rc == GX_OK)
            rc = gx_mem_table[ep->dst_kind]->alloc(bytes, &ep->dst, err);
        if (rc == GX_OK)
            ep->cap = bytes;
        else
            free_buffers(ep);
        rc = gx_pair_agree(ep, rc, err);
        if (rc != GX_OK)
            return rc;
        rc = ep->ops->open(ep, err);
        rc = gx_pair_agree(ep, rc, err);
        /* Capacity 0, so that the next step opens again, not copying into what open never made. */
        if (rc != GX_OK)
            close_endpoint(ep);
    }
    return rc;
}

/* The group's members in `members`' room: the next after this rank is its peer. */
static void open_group_member(struct gx_ep *ep, const struct gx_round *round, int *members)
{
    const struct gx_job *job = ep->job;
    int n = gx_round_members(round, job->size, round->group_of[job->rank], members);
    ep->group = 1;
    ep->nranks = n;
    ep->same_node = 1;
    for (int i = 0; i < n; i++) {
        if (members[i] == job->rank) {
            ep->grank = i;
            ep->peer = members[(i + 1) % n];
        }
        ep->same_node &= job->node_of[members[i]] == job->node_of[ep->leader];
    }
}

void gx_open_endpoint(struct gx_bench *b, const struct gx_options *o, const struct gx_mplan *plan,
                      const struct gx_mgroup *g, const struct gx_round *round, int *members)
{
    const struct gx_job *job = b->job;
    struct gx_ep *ep = &b->ep;
    memset(ep, 0, sizeof *ep);
    b->run = &o->runs[g->run];
    b->path = g->path;
    b->probe = g->probe;
    b->pair = gx_round_find(round, job->rank);
    b->nrounds = plan->pairs[g->run].nrounds;
    b->trip_s = 0; /* another path's round trips say nothing of this one's */
    ep->job = job;
    ep->ops = gx_mgroup_ops(g);
    ep->src_kind = g->src_kind;
    ep->dst_kind = g->dst_kind;
    ep->comm = MPI_COMM_NULL;
    ep->nranks = 2;
    ep->nccl_comm = g->nccl_comm;
    if (b->pair) {
        ep->peer = b->pair->a == job->rank ? b->pair->b : b->pair->a;
        ep->initiator = b->pair->a == job->rank;
        ep->grank = !ep->initiator;
        ep->leader = b->pair->a;
        ep->same_node = job->node_of[b->pair->a] == job->node_of[b->pair->b];
    }
    if (b->pair && round->group_of)
        open_group_member(ep, round, members);
}

int gx_endpoint_filter(struct gx_bench *b, struct gx_err *why)
{
    struct gx_ep *ep = &b->ep;
    if (!b->pair)
        return GX_OK;
    if (ep->ops->flags & GX_PATH_NEEDS_GPU && gx_gpu_absent_why()[0])
        return gx_fail(why, GX_ESKIP, "%s", gx_gpu_absent_why());
    GX_TRY(gx_mem_usable(ep->src_kind, why));
    GX_TRY(gx_mem_usable(ep->dst_kind, why));
    return ep->ops->filter ? ep->ops->filter(ep, why) : GX_OK;
}

int gx_open_group_comm(struct gx_ep *ep, const struct gx_round *round, int *members,
                       struct gx_err *err)
{
    const struct gx_job *job = ep->job;
    if (!ep->group)
        return GX_OK;
    int n = gx_round_members(round, job->size, round->group_of[job->rank], members);
    MPI_Group all, mine;
    GX_MPI_TRY(err, MPI_Comm_group(job->comm, &all));
    int rc = MPI_Group_incl(all, n, members, &mine);
    if (rc == MPI_SUCCESS) {
        rc = MPI_Comm_create_group(job->comm, mine, GX_TAG_GROUP, &ep->comm);
        MPI_Group_free(&mine);
    }
    MPI_Group_free(&all);
    GX_MPI_TRY(err, rc);
    return GX_OK;
}

void gx_close_group(struct gx_ep *ep)
{
    close_endpoint(ep);
    if (ep->group && ep->comm != MPI_COMM_NULL)
        MPI_Comm_free(&ep->comm);
    ep->comm = MPI_COMM_NULL;
}
