/* The watchdog's roll call: on a timeout rank 0's watchdog asks every rank's where it is; a
 * rank that does not answer (stopped, frozen, dead) is the one to name.
 * Over sockets of its own, never MPI: MPI from the watchdog thread would run the progress
 * engine beside the timed transfers (Open MPI's CUDA IPC then failed without a context) and
 * need MPI_THREAD_MULTIPLE, a lock on every call.
 * Only the job's ranks get in: abstract Unix sockets named after the job's token (a killed rank
 * leaves no file) checked with SO_PEERCRED on rank 0's node, TCP limited to each route's
 * addresses elsewhere, and the token (getrandom, no fallback) in every message. The watchdog
 * never blocks on a peer. */
#ifndef GX_ROLLCALL_H
#define GX_ROLLCALL_H

#include "gx.h"

#include <mpi.h>
#include <poll.h>
#include <stdint.h>

struct gx_rollcall_net; /* sockets, addresses and waiting connections (rollcall_net.h) */

struct gx_rollcall {
    int rank, size;
    uint64_t token; /* 0: none */
    struct gx_rollcall_net *net;
};
#define GX_ROLLCALL_INIT {-1, 0, 0, NULL}
#define GX_ROLLCALL_FDS 17 /* at most: listening sockets (9) and connections heard at once (8) */

/* Collective; a rank that cannot listen still takes part, unable to answer. */
int gx_rollcall_open(struct gx_rollcall *rc, MPI_Comm comm, struct gx_err *err);
/* A signal sent to one rank: rank 0 must report it, for were the rank to end first the launcher
 * would SIGTERM rank 0 and the report name the wrong signal. 1: acknowledged within wait_s. */
int gx_rollcall_tell(struct gx_rollcall *rc, int sig, double wait_s);
int gx_rollcall_heard(struct gx_rollcall *rc, int *rank, int *sig);
/* Only once the watchdog thread no longer uses them. */
void gx_rollcall_close(struct gx_rollcall *rc);
int gx_rollcall_fds(const struct gx_rollcall *rc, struct pollfd *p, int max);
/* position: how far the rank got, comparable between ranks (the watchdog's); where: in words. */
void gx_rollcall_answer(struct gx_rollcall *rc, uint64_t position, const char *where);
/* Returns how many ranks are silent (-1: not possible); answers gets "; rank R is WHERE";
 * position (NULL, or one per rank) each answer's, GX_ROLLCALL_SILENT where none came. */
#define GX_ROLLCALL_SILENT UINT64_MAX
int gx_rollcall_ask(struct gx_rollcall *rc, double wait_s, int *silent, int max,
                    uint64_t *position, char *answers, size_t len);

#endif
