#define _GNU_SOURCE 1 /* sched_getaffinity, CPU_COUNT */
#include "config.h"
#include "job.h"

#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

static int node_oversubscribed(const struct gx_job *job, int *over, struct gx_err *err)
{
    cpu_set_t mine, all;
    CPU_ZERO(&mine);
    if (sched_getaffinity(0, sizeof mine, &mine) != 0)
        CPU_ZERO(&mine);
    GX_MPI_TRY(err, MPI_Allreduce(&mine, &all, (int)sizeof all, MPI_BYTE, MPI_BOR,
                                  job->node_comm));
    int cpus = CPU_COUNT(&all);
    *over = cpus > 0 && job->local_size > cpus;
    return GX_OK;
}

int gx_job_init(struct gx_job *job, struct gx_err *err)
{
    memset(job, 0, sizeof *job);
    job->gpu = -1;
    job->cuda_aware_why = "no GPU in use";
    job->mpi_notice = "";
    GX_MPI_TRY(err, MPI_Comm_dup(MPI_COMM_WORLD, &job->comm));
    GX_MPI_TRY(err, MPI_Comm_set_errhandler(job->comm, MPI_ERRORS_RETURN));
    GX_MPI_TRY(err, MPI_Comm_rank(job->comm, &job->rank));
    GX_MPI_TRY(err, MPI_Comm_size(job->comm, &job->size));
    /* Node-local rank from shared memory, never from launcher variables. */
    GX_MPI_TRY(err, MPI_Comm_split_type(job->comm, MPI_COMM_TYPE_SHARED, job->rank,
                                        MPI_INFO_NULL, &job->node_comm));
    GX_MPI_TRY(err, MPI_Comm_set_errhandler(job->node_comm, MPI_ERRORS_RETURN));
    GX_MPI_TRY(err, MPI_Comm_rank(job->node_comm, &job->local_rank));
    GX_MPI_TRY(err, MPI_Comm_size(job->node_comm, &job->local_size));
    int leader = job->local_rank == 0, before = 0; /* node index: its leader's place */
    GX_MPI_TRY(err, MPI_Exscan(&leader, &before, 1, MPI_INT, MPI_SUM, job->comm));
    if (job->rank == 0)
        before = 0; /* MPI_Exscan leaves rank 0's result undefined */
    job->node = before;
    GX_MPI_TRY(err, MPI_Bcast(&job->node, 1, MPI_INT, 0, job->node_comm));
    GX_MPI_TRY(err, MPI_Allreduce(&leader, &job->nnodes, 1, MPI_INT, MPI_SUM, job->comm));
    GX_TRY(node_oversubscribed(job, &job->oversubscribed, err));
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

static const char *const input_env[] = {"GPUXFER_FAULT"}; /* shared input beside the arguments */

static char *input_text(int argc, char **argv, size_t *len)
{
    size_t n = 0;
    for (int i = 1; i < argc; i++)
        n += strlen(argv[i]) + 2;
    for (size_t i = 0; i < GX_ARRAY_LEN(input_env); i++)
        n += strlen(input_env[i]) + (getenv(input_env[i]) ? strlen(getenv(input_env[i])) : 6) + 3;
    char *buf = malloc(n + 1), *p = buf;
    if (!buf)
        return NULL;
    for (int i = 1; i < argc; i++)
        p += sprintf(p, "a%s", argv[i]) + 1;
    for (size_t i = 0; i < GX_ARRAY_LEN(input_env); i++) {
        const char *v = getenv(input_env[i]);
        p += sprintf(p, "e%s%s%s", input_env[i], v ? "=" : " unset", v ? v : "") + 1;
    }
    *len = (size_t)(p - buf);
    return buf;
}

static const char *item_at(const char *text, size_t len, int k)
{
    const char *p = text, *end = text + len;
    for (; p < end && k > 0; k--)
        p += strlen(p) + 1;
    return p < end ? p : NULL;
}

static int first_difference(const char *mine, size_t mine_len, const char *theirs,
                            size_t theirs_len, int rank, struct gx_err *err)
{
    for (int k = 0;; k++) {
        const char *b = item_at(mine, mine_len, k), *a = item_at(theirs, theirs_len, k);
        if (!a && !b)
            return 0;
        if (a && b && strcmp(a, b) == 0)
            continue;
        /* An argument only one side has meets the other's first variable: "(none)" there. */
        int arg = (a && a[0] == 'a') || (b && b[0] == 'a');
        const char *va = a && a[0] == (arg ? 'a' : 'e') ? a + 1 : "(none)";
        const char *vb = b && b[0] == (arg ? 'a' : 'e') ? b + 1 : "(none)";
        const char *prev = k > 0 ? item_at(mine, mine_len, k - 1) : NULL;
        char where[128];
        if (!arg)
            snprintf(where, sizeof where, "the environment");
        else if (prev && prev[0] == 'a' && prev[1] == '-' && vb[0] != '-')
            snprintf(where, sizeof where, "argument %d (the value of %.60s)", k + 1, prev + 1);
        else
            snprintf(where, sizeof where, "argument %d", k + 1);
        gx_fail(err, GX_EINPUT, "rank %d's input differs from rank 0's: %s is '%.80s' on rank %d "
                "but '%.80s' on rank 0; every rank must get the same options and %s (an MPMD "
                "launch, or a per-rank environment?)", rank, where, vb, rank, va, input_env[0]);
        return 1;
    }
}

int gx_agree_input(const struct gx_job *job, int argc, char **argv, struct gx_err *err)
{
    size_t mine_len = 0;
    char *mine = input_text(argc, argv, &mine_len);
    long len0 = job->rank == 0 ? (long)mine_len : 0;
    int rc = mine ? GX_OK : gx_fail(err, GX_ERUNTIME, "out of host memory for the arguments");
    rc = gx_agree(job->comm, rc, err);
    if (rc == GX_OK && MPI_Bcast(&len0, 1, MPI_LONG, 0, job->comm) != MPI_SUCCESS)
        rc = gx_fail(err, GX_ERUNTIME, "MPI_Bcast of the arguments' length failed");
    char *theirs = rc == GX_OK ? (job->rank == 0 ? mine : malloc((size_t)len0 + 1)) : NULL;
    if (rc == GX_OK && !theirs)
        rc = gx_fail(err, GX_ERUNTIME, "out of host memory for rank 0's arguments");
    rc = gx_agree(job->comm, rc, err);
    if (rc == GX_OK && MPI_Bcast(theirs, (int)len0, MPI_CHAR, 0, job->comm) != MPI_SUCCESS)
        rc = gx_fail(err, GX_ERUNTIME, "MPI_Bcast of the arguments failed");
    rc = gx_agree(job->comm, rc, err);
    int differs = rc == GX_OK &&
                  first_difference(mine, mine_len, theirs, (size_t)len0, job->rank, err);
    int ndiffer = 0;
    if (rc == GX_OK &&
        MPI_Allreduce(&differs, &ndiffer, 1, MPI_INT, MPI_SUM, job->comm) != MPI_SUCCESS)
        rc = gx_fail(err, GX_ERUNTIME, "MPI_Allreduce of the arguments' agreement failed");
    if (rc == GX_OK && differs && ndiffer > 1) {
        size_t used = strlen(err->msg);
        snprintf(err->msg + used, sizeof err->msg - used, " (%d ranks differ)", ndiffer);
    }
    if (theirs != mine)
        free(theirs);
    free(mine);
    return rc == GX_OK ? gx_agree(job->comm, differs ? GX_EINPUT : GX_OK, err) : rc;
}
