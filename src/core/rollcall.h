/* The watchdog's roll call: when a measurement times out, rank 0's watchdog thread asks every
 * rank's watchdog thread where it is, on a communicator of their own. A rank whose threads all
 * stopped (SIGSTOP, a frozen node) or that died does not answer: that, not the pair rank 0 was
 * waiting on, is the rank to name. */
#ifndef GX_ROLLCALL_H
#define GX_ROLLCALL_H

#include "gx.h"

#include <mpi.h>
#include <pthread.h>

struct gx_rollcall {
    pthread_mutex_t mu; /* held across each MPI call of the watchdog thread */
    int usable;         /* comm is ready and MPI is not being finalized */
    MPI_Comm comm;
    int size;
};
#define GX_ROLLCALL_INIT {PTHREAD_MUTEX_INITIALIZER, 0, MPI_COMM_NULL, 0}

/* Collective (a duplicate of MPI_COMM_WORLD); call it under the watchdog's protection. */
int gx_rollcall_open(struct gx_rollcall *rc, struct gx_err *err);
/* From here on the watchdog thread makes no MPI call (MPI_Finalize comes next). */
void gx_rollcall_close(struct gx_rollcall *rc);
int gx_rollcall_mpi_usable(struct gx_rollcall *rc);
/* A rank other than 0: answers rank 0's question, if one waits, with where this rank is. */
void gx_rollcall_answer(struct gx_rollcall *rc, const char *where);
/* Rank 0: asks every other rank and waits up to wait_s for the answers. silent gets the ranks
 * that did not answer (at most max; returns how many, -1 when the roll call was not possible);
 * answers gets "rank R: WHERE; " for those that did, as far as it fits. */
int gx_rollcall_ask(struct gx_rollcall *rc, double wait_s, int *silent, int max, char *answers,
                    size_t len);

#endif
