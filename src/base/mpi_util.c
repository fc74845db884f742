#include "mpi_util.h"

#include <stdlib.h>

#define PIECE ((size_t)1 << 30)

int gx_requests_reserve(struct gx_requests *r, size_t n, struct gx_err *err)
{
    if (n <= r->cap)
        return GX_OK;
    MPI_Request *q = realloc(r->req, n * sizeof *q);
    if (!q)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for %zu MPI requests", n);
    r->req = q;
    r->cap = n;
    return GX_OK;
}

void gx_requests_free(struct gx_requests *r)
{
    free(r->req);
    r->req = NULL;
    r->cap = 0;
}

size_t gx_mpi_pieces(size_t bytes)
{
    return (bytes + PIECE - 1) / PIECE;
}

int gx_mpi_post(void *buf, size_t bytes, int send, int peer, int tag, MPI_Comm comm,
                MPI_Request *req, int *n, struct gx_err *err)
{
    char *p = buf;
    for (size_t off = 0; off < bytes; off += PIECE) {
        int len = (int)(bytes - off < PIECE ? bytes - off : PIECE);
        if (send)
            GX_MPI_TRY(err, MPI_Isend(p + off, len, MPI_BYTE, peer, tag, comm, &req[(*n)++]));
        else
            GX_MPI_TRY(err, MPI_Irecv(p + off, len, MPI_BYTE, peer, tag, comm, &req[(*n)++]));
    }
    return GX_OK;
}
