#ifndef GX_MPI_UTIL_H
#define GX_MPI_UTIL_H

#include "gx.h"

#include <mpi.h>

/* Requests reused across transfers, so that none is allocated while timing. */
struct gx_requests {
    MPI_Request *req;
    size_t cap;
};

int gx_requests_reserve(struct gx_requests *r, size_t n, struct gx_err *err);
void gx_requests_free(struct gx_requests *r);

/* Requests one message needs: MPI counts are ints, so large messages go in 1 GiB pieces. */
size_t gx_mpi_pieces(size_t bytes);
int gx_mpi_post(void *buf, size_t bytes, int send, int peer, int tag, MPI_Comm comm,
                MPI_Request *req, int *n, struct gx_err *err);

/* The one place that passes MPICH's MPI_STATUSES_IGNORE, which GCC 11+ takes for a short array. */
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
