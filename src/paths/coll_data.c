/* Reductions sum small integers in floats (exact in any order), filled and checked by the CPU
 * (through a host copy for device memory); the others move the byte pattern of fill.h, each
 * block tagged with its sender and its place, so that a block in the wrong place fails. */
#include "config.h"
#include "coll_data.h"

#include "mem.h"
#ifdef HAVE_CUDA
#include "cuda_util.h"
#endif

#include <stdlib.h>
#include <string.h>

/* Block j of rank i's buffer where block j goes to rank j (GX_SHAPE_BLOCKS): the iteration's
 * pattern of rank i, moved by j. */
static uint32_t block_iter(uint32_t iter, int j)
{
    return iter + ((uint32_t)(j + 1) << 16);
}

void gx_coll_io(const struct gx_ep *ep, enum gx_coll c, int in_place, size_t bytes,
                struct gx_coll_io *io)
{
    size_t blk = gx_coll_block(c, ep->nranks, bytes);
    char *mine = (char *)ep->dst + (size_t)ep->grank * blk; /* its block of the output */
    *io = (struct gx_coll_io){in_place ? ep->dst : ep->src, ep->dst, bytes, bytes};
    if (gx_coll_table[c].shape == GX_SHAPE_IN_BLOCK) {
        io->in_bytes = blk;
        if (in_place)
            io->in = mine;
    } else if (gx_coll_table[c].shape == GX_SHAPE_OUT_BLOCK) {
        io->out_bytes = blk;
        /* MPI_IN_PLACE leaves the result at the start; NCCL's in place is the rank's block. */
        if (in_place && !(ep->ops->flags & GX_PATH_MPI_BUFFERS))
            io->out = mine;
    }
}

/* A host copy of n bytes at buf, or buf itself where the CPU can read it. */
static int host_view(int kind, void *buf, size_t n, int from_device, void **view,
                     struct gx_err *err)
{
    if (gx_mem_has(kind, GX_MEM_HOST_ADDRESSABLE)) {
        *view = buf;
        return GX_OK;
    }
#ifdef HAVE_CUDA
    if (!(*view = malloc(n ? n : 1)))
        return gx_fail(err, GX_ESKIP, "out of host memory for a %zu-byte copy to validate", n);
    if (from_device) {
        cudaError_t ce = cudaMemcpy(*view, buf, n, cudaMemcpyDeviceToHost);
        if (ce != cudaSuccess) {
            free(*view);
            return gx_fail_cuda(err, ce, "cudaMemcpy", __FILE__, __LINE__);
        }
    }
    return GX_OK;
#else
    (void)from_device, (void)n;
    return gx_fail(err, GX_ERUNTIME, "memory kind %s is not readable by the CPU",
                   gx_mem_name(kind));
#endif
}

static int host_view_done(void *buf, size_t n, void *view, int to_device, struct gx_err *err)
{
    if (view == buf)
        return GX_OK;
#ifdef HAVE_CUDA
    /* From pageable memory cudaMemcpy returns once the data is staged, before all of it has
     * landed; a collective on a stream that does not wait for the legacy one (NCCL's) can then
     * read its input's tail before the copy has written it. */
    cudaError_t ce = to_device ? cudaMemcpy(buf, view, n, cudaMemcpyHostToDevice) : cudaSuccess;
    free(view);
    if (ce != cudaSuccess)
        return gx_fail_cuda(err, ce, "cudaMemcpy", __FILE__, __LINE__);
    if (to_device)
        GX_CUDA_TRY(err, cudaDeviceSynchronize());
#else
    (void)n, (void)to_device, (void)err;
    free(view);
#endif
    return GX_OK;
}

static int fill_floats(int kind, void *buf, size_t bytes, uint32_t rank, uint32_t iter,
                       struct gx_err *err)
{
    void *v = NULL;
    GX_TRY(host_view(kind, buf, bytes, 0, &v, err));
    float *f = v;
    for (size_t k = 0; k < bytes / GX_COLL_FLOAT; k++)
        f[k] = gx_coll_value(rank, iter, k);
    return host_view_done(buf, bytes, v, 1, err);
}

/* Element first + k of the sum. */
static int check_sums(int kind, void *buf, size_t bytes, int nranks, uint32_t iter,
                      size_t first, int *ok, size_t *bad, struct gx_err *err)
{
    void *v = NULL;
    GX_TRY(host_view(kind, buf, bytes, 1, &v, err));
    const float *f = v;
    *ok = 1;
    for (size_t k = 0; k < bytes / GX_COLL_FLOAT && *ok; k++)
        if (f[k] != gx_coll_sum(nranks, iter, first + k)) {
            *ok = 0;
            *bad = k * GX_COLL_FLOAT;
        }
    return host_view_done(buf, bytes, v, 0, err);
}

int gx_coll_fill(struct gx_ep *ep, enum gx_coll c, int in_place, size_t bytes, uint32_t iter,
                 struct gx_err *err)
{
    const struct gx_mem_ops *src = gx_mem_table[in_place ? ep->dst_kind : ep->src_kind];
    const struct gx_mem_ops *dst = gx_mem_table[ep->dst_kind];
    int in_kind = in_place ? ep->dst_kind : ep->src_kind;
    uint32_t me = (uint32_t)ep->grank;
    struct gx_coll_io io;
    gx_coll_io(ep, c, in_place, bytes, &io);
    GX_TRY(dst->poison(ep->dst, bytes, err));
    size_t blk = gx_coll_block(c, ep->nranks, bytes);
    if (gx_coll_table[c].root == GX_ROOT_GIVES && me != 0)
        return GX_OK;
    if (gx_coll_table[c].sums)
        return fill_floats(in_kind, io.in, io.in_bytes, me, iter, err);
    if (gx_coll_table[c].shape == GX_SHAPE_BLOCKS) {
        for (int j = 0; j < ep->nranks; j++)
            GX_TRY(src->fill((char *)io.in + (size_t)j * blk, blk, me, block_iter(iter, j), err));
        return GX_OK;
    }
    return src->fill(io.in, io.in_bytes, me, iter, err);
}

int gx_coll_check(struct gx_ep *ep, enum gx_coll c, int in_place, size_t bytes, uint32_t iter,
                  int *ok, size_t *bad, struct gx_err *err)
{
    const struct gx_mem_ops *dst = gx_mem_table[ep->dst_kind];
    enum gx_coll_shape shape = gx_coll_table[c].shape;
    struct gx_coll_io io;
    gx_coll_io(ep, c, in_place, bytes, &io);
    size_t blk = gx_coll_block(c, ep->nranks, bytes), at = 0;
    *ok = 1;
    if (gx_coll_table[c].root == GX_ROOT_GETS && ep->grank != 0)
        return GX_OK;
    if (gx_coll_table[c].sums) { /* its block of the sum where it gets one */
        size_t first = shape == GX_SHAPE_OUT_BLOCK ? (size_t)ep->grank * blk / GX_COLL_FLOAT : 0;
        GX_TRY(check_sums(ep->dst_kind, io.out, io.out_bytes, ep->nranks, iter, first, ok, bad,
                          err));
        *bad += (size_t)((char *)io.out - (char *)ep->dst);
        return GX_OK;
    }
    /* Out of place, the first rank's output is its MPI library's to leave as it was. */
    if (gx_coll_table[c].root == GX_ROOT_GIVES)
        return ep->grank == 0 && !in_place
                   ? GX_OK
                   : dst->check(io.out, io.out_bytes, 0, iter, ok, bad, err);
    for (int j = 0; j < ep->nranks && *ok; j++) {
        uint32_t tag = shape == GX_SHAPE_BLOCKS ? block_iter(iter, ep->grank) : iter;
        at = (size_t)j * blk;
        GX_TRY(dst->check((char *)io.out + at, blk, (uint32_t)j, tag, ok, bad, err));
    }
    if (!*ok)
        *bad += at;
    return GX_OK;
}
