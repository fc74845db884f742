/* The watchdog's roll call: when a measurement times out, rank 0's watchdog thread asks every
 * rank's watchdog thread where it is. A rank whose threads all stopped (SIGSTOP, a frozen node)
 * or that died does not answer: that, not the pair rank 0 was waiting on, is the rank to name.
 *
 * It runs over TCP sockets of its own, never over MPI: an MPI call from the watchdog thread
 * would run the MPI library's progress engine beside the main thread's timed transfers (Open
 * MPI then advanced device-buffer transfers from a thread without a CUDA context, and its CUDA
 * IPC failed), and it would need MPI_THREAD_MULTIPLE, which puts a lock on every MPI call. So
 * the job asks MPI for MPI_THREAD_SINGLE (main.c says why), and between roll calls the channel
 * costs nothing: a listening socket in the watchdog's poll. */
#ifndef GX_ROLLCALL_H
#define GX_ROLLCALL_H

#include "gx.h"

#include <mpi.h>
#include <stdint.h>

struct gx_rollcall_addr; /* where a rank listens (rollcall.c) */

struct gx_rollcall {
    int listen_fd; /* where questions (other ranks) or word of a signal (rank 0) arrive; -1: none */
    int rank, size;
    uint64_t token;                 /* the job's, from rank 0: answers from elsewhere don't count */
    struct gx_rollcall_addr *addrs; /* rank 0: every rank's addresses; the others: rank 0's */
};
#define GX_ROLLCALL_INIT {-1, -1, 0, 0, NULL}

/* Collective over comm, from the main thread: every rank other than 0 listens, rank 0 learns
 * where. A rank that cannot listen still takes part; it will only be unable to answer. */
int gx_rollcall_open(struct gx_rollcall *rc, MPI_Comm comm, struct gx_err *err);
/* The other direction, for a signal sent to one rank only: the watchdog of the rank that got
 * it tells rank 0, which writes the report naming that rank and ends the job. Were the rank to
 * end first, the launcher would tear rank 0 down with a signal of its own (SIGTERM), and the
 * report would name the wrong signal and rank. Returns 1 once rank 0 acknowledged it, within
 * wait_s; 0 when it could not be told. */
int gx_rollcall_tell(struct gx_rollcall *rc, int sig, double wait_s);
/* Rank 0, when its descriptor is readable: 1 with the rank and signal of a word received. */
int gx_rollcall_heard(struct gx_rollcall *rc, int *rank, int *sig);
/* Closes the sockets; only once the watchdog thread no longer uses them. */
void gx_rollcall_close(struct gx_rollcall *rc);
/* The descriptor to poll for questions, or on rank 0 for word of a signal (-1: none). */
int gx_rollcall_fd(const struct gx_rollcall *rc);
/* A rank other than 0, when its descriptor is readable: answers the questions waiting with
 * where this rank is. Waits at most a moment for a question's bytes. */
void gx_rollcall_answer(struct gx_rollcall *rc, const char *where);
/* Rank 0: asks every other rank and waits up to wait_s for the answers. silent gets the ranks
 * that did not answer (at most max; returns how many, -1 when the roll call was not possible);
 * answers gets "; rank R is WHERE" for those that did, as far as it fits. */
int gx_rollcall_ask(struct gx_rollcall *rc, double wait_s, int *silent, int max, char *answers,
                    size_t len);

#endif
