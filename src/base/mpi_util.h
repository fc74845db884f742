/* Point-to-point helpers shared by the paths that move whole messages with MPI. */
#ifndef GX_MPI_UTIL_H
#define GX_MPI_UTIL_H

#include "gx.h"

#include <mpi.h>

/* A growable array of requests, reused across transfers so none is allocated while timing. */
struct gx_requests {
    MPI_Request *req;
    size_t cap;
};

int gx_requests_reserve(struct gx_requests *r, size_t n, struct gx_err *err);
void gx_requests_free(struct gx_requests *r);

/* Requests one message needs: MPI counts are ints, so large messages go in 1 GiB pieces. */
size_t gx_mpi_pieces(size_t bytes);
/* Posts Isend (send != 0) or Irecv for `bytes` at buf, appending to req[*n]. */
int gx_mpi_post(void *buf, size_t bytes, int send, int peer, int tag, MPI_Comm comm,
                MPI_Request *req, int *n, struct gx_err *err);

/* MPI_Waitall(n, req, MPI_STATUSES_IGNORE). MPICH defines MPI_STATUSES_IGNORE as
 * (MPI_Status *)1, which GCC 11 and later take for an array too small for n statuses and warn
 * about (-Wstringop-overflow; pmodels/mpich#5687, left as is there); this is the one place that
 * passes it. */
static inline int gx_mpi_waitall(int n, MPI_Request *req)
{
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
    return MPI_Waitall(n, req, MPI_STATUSES_IGNORE);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
}

#endif
