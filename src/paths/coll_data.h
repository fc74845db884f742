/* A collective's data, validated: each rank fills what it contributes and checks what it got. */
#ifndef GX_COLL_DATA_H
#define GX_COLL_DATA_H

#include "path.h"

/* Where a collective reads and writes in the endpoint's buffers; bytes from gx_coll_bytes. */
struct gx_coll_io {
    void *in, *out;
    size_t in_bytes, out_bytes;
};
void gx_coll_io(const struct gx_ep *ep, enum gx_coll c, int in_place, size_t bytes,
                struct gx_coll_io *io);

/* The output poisoned, then this rank's input filled, for iteration iter. */
int gx_coll_fill(struct gx_ep *ep, enum gx_coll c, int in_place, size_t bytes, uint32_t iter,
                 struct gx_err *err);
/* *ok 0 and *bad the output's first wrong byte where it is not what the ranks' inputs make. */
int gx_coll_check(struct gx_ep *ep, enum gx_coll c, int in_place, size_t bytes, uint32_t iter,
                  int *ok, size_t *bad, struct gx_err *err);

#endif
