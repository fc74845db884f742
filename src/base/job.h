#ifndef GX_JOB_H
#define GX_JOB_H

#include "gx.h"
#include "options.h"

#include <mpi.h>

struct gx_gpu_counters;

struct gx_job {
    MPI_Comm comm;        /* a duplicate of MPI_COMM_WORLD with MPI_ERRORS_RETURN */
    int rank, size;
    MPI_Comm node_comm;   /* ranks sharing this node's memory */
    int local_rank, local_size;
    int node, nnodes;     /* node index of this rank, number of nodes */
    int oversubscribed;   /* this node's ranks outnumber their CPUs: a waiting rank must yield */
    int *node_of;         /* node index of every rank (size entries) */
    int gpu;              /* CUDA device this rank uses; -1 without one */
    int early_gpu;        /* the device of the CUDA context made before MPI_Init; -1: none */
    int cuda_aware;       /* the MPI library moves device buffers */
    const char *cuda_aware_why; /* how that was decided */
    const char *mpi_notice;     /* what the MPI library prints by itself at start-up, and why */
    const struct gx_global_opts *g;
    struct gx_topo_rank *topo;  /* GPU placement and binding (topo_setup.c) */
    const char *no_gpu;         /* why this run takes no GPU (CUDA then never initialised) */
    const struct gx_gpu_counters *gpu_start; /* the counters' first reading, for the context */
};

int gx_job_init(struct gx_job *job, struct gx_err *err);
void gx_job_fini(struct gx_job *job);

/* Every rank of comm learns the lowest-rank failure (its code and message); GX_OK for none. */
int gx_agree(MPI_Comm comm, int rc, struct gx_err *err);
/* Every rank's arguments and input environment against rank 0's: an MPMD launch that gives one
 * rank other options gets one line naming them, exit 2, never a start-up timeout. Collective. */
int gx_agree_input(const struct gx_job *job, int argc, char **argv, struct gx_err *err);

#endif
