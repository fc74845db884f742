/* What every part of a run may need to know about the MPI job and this process. */
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
    int oversubscribed;   /* this node's ranks outnumber the CPUs they may run on, together (as
                             the launcher placed them): a rank that waits must yield, as MPI
                             libraries then do */
    int *node_of;         /* node index of every rank (size entries) */
    int gpu;              /* CUDA device this rank uses; -1 without one */
    int cuda_aware;       /* the MPI library moves device buffers */
    const char *cuda_aware_why; /* how that was decided */
    const char *mpi_notice;     /* what the MPI library prints by itself at start-up here, and
                                   why ("" where nothing is known): gx_mpilib_startup_notice */
    const struct gx_global_opts *g;
    struct gx_topo_rank *topo;  /* GPU placement and binding (topo_setup.c) */
    const char *no_gpu;         /* why this run takes no GPU (no step of its plan needs one):
                                   CUDA is then never initialised; NULL where it may */
    const struct gx_gpu_counters *gpu_start; /* the GPU as the counters' first reading found
                                   it, for the context (NULL: not read) */
};

#endif

/* Sets up communicators and node placement. */
int gx_job_init(struct gx_job *job, struct gx_err *err);
void gx_job_fini(struct gx_job *job);

/* Every rank of comm learns the first (lowest-rank) failure: returns its code and, in err, its
 * message; GX_OK when no rank failed. Collective. */
int gx_agree(MPI_Comm comm, int rc, struct gx_err *err);
/* The one agreement step for input, before any rank parses it: every rank's arguments (after
 * the program's name) and input environment (GPUXFER_FAULT) against rank 0's. An MPMD launch or
 * a per-rank environment that gives one rank other options, sizes, iterations or fault spec gets
 * one line naming the rank, the argument (and its option) and both values, exit 2, at once:
 * never a start-up timeout or a message of another length in a collective. Collective. */
int gx_agree_input(const struct gx_job *job, int argc, char **argv, struct gx_err *err);
