#include "config.h"
#include "job.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

int gx_job_init(struct gx_job *job, struct gx_err *err)
{
    memset(job, 0, sizeof *job);
    job->gpu = -1;
    job->cuda_aware_why = "no GPU in use";
    GX_MPI_TRY(err, MPI_Comm_dup(MPI_COMM_WORLD, &job->comm));
    GX_MPI_TRY(err, MPI_Comm_set_errhandler(job->comm, MPI_ERRORS_RETURN));
    GX_MPI_TRY(err, MPI_Comm_rank(job->comm, &job->rank));
    GX_MPI_TRY(err, MPI_Comm_size(job->comm, &job->size));
    /* Node-local rank from shared memory, never from launcher variables (SLURM_PROCID is
     * global). */
    GX_MPI_TRY(err, MPI_Comm_split_type(job->comm, MPI_COMM_TYPE_SHARED, job->rank,
                                        MPI_INFO_NULL, &job->node_comm));
    GX_MPI_TRY(err, MPI_Comm_set_errhandler(job->node_comm, MPI_ERRORS_RETURN));
    GX_MPI_TRY(err, MPI_Comm_rank(job->node_comm, &job->local_rank));
    GX_MPI_TRY(err, MPI_Comm_size(job->node_comm, &job->local_size));
    /* Node index = position of the node's first rank among all nodes' first ranks. */
    int leader = job->local_rank == 0, before = 0;
    GX_MPI_TRY(err, MPI_Exscan(&leader, &before, 1, MPI_INT, MPI_SUM, job->comm));
    if (job->rank == 0)
        before = 0; /* MPI_Exscan leaves rank 0's result undefined */
    job->node = before;
    GX_MPI_TRY(err, MPI_Bcast(&job->node, 1, MPI_INT, 0, job->node_comm));
    GX_MPI_TRY(err, MPI_Allreduce(&leader, &job->nnodes, 1, MPI_INT, MPI_SUM, job->comm));
    job->node_of = malloc((size_t)job->size * sizeof *job->node_of);
    if (!job->node_of)
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    GX_MPI_TRY(err, MPI_Allgather(&job->node, 1, MPI_INT, job->node_of, 1, MPI_INT, job->comm));
    return GX_OK;
}

void gx_job_fini(struct gx_job *job)
{
    free(job->node_of);
    if (job->node_comm != MPI_COMM_NULL && job->node_comm)
        MPI_Comm_free(&job->node_comm);
    if (job->comm != MPI_COMM_NULL && job->comm)
        MPI_Comm_free(&job->comm);
    job->node_of = NULL;
}

int gx_agree(MPI_Comm comm, int rc, struct gx_err *err)
{
    int me, first;
    if (MPI_Comm_rank(comm, &me) != MPI_SUCCESS)
        return gx_fail(err, GX_ERUNTIME, "MPI_Comm_rank failed while agreeing on a status");
    int mine = rc != GX_OK ? me : INT_MAX;
    /* The lowest failing rank, then its code and message. */
    if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS)
        return gx_fail(err, GX_ERUNTIME, "MPI_Allreduce failed while agreeing on a status");
    if (first == INT_MAX)
        return GX_OK;
    int root = first;
    struct {
        int rc;
        char msg[sizeof err->msg];
    } m;
    if (me == root) {
        m.rc = rc;
        memcpy(m.msg, err->msg, sizeof m.msg);
    }
    if (MPI_Bcast(&m, (int)sizeof m, MPI_BYTE, root, comm) != MPI_SUCCESS)
        return gx_fail(err, GX_ERUNTIME, "MPI_Bcast failed while agreeing on a status");
    err->rc = m.rc;
    memcpy(err->msg, m.msg, sizeof m.msg);
    return m.rc;
}
