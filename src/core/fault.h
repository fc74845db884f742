/* Fault injection for the reliability tests: GPUXFER_FAULT=kind:rank=R:size=S[:iter=I][:offset=O].
 * Off unless the variable is set; parsed once at start. */
#ifndef GX_FAULT_H
#define GX_FAULT_H

#include "gx.h"

enum gx_fault_kind {
    GX_FAULT_NONE,
    GX_FAULT_HANG,    /* rank R stops making progress (its other threads still run) */
    GX_FAULT_DIE,     /* rank R is killed with SIGKILL */
    GX_FAULT_CORRUPT, /* one byte of what rank R received is flipped before it is checked */
    GX_FAULT_SIGNAL,  /* rank R raises SIGTERM */
    GX_FAULT_CUDA_OOM,    /* every allocation of rank R's buffers for size S fails, as
                             cudaMalloc's out of memory would (any memory kind) */
    GX_FAULT_CUDA_STICKY, /* rank R's kernel makes an illegal memory access (needs a GPU) */
};

struct gx_fault {
    enum gx_fault_kind kind;
    int rank;
    size_t size;
    long iter;        /* hang/die/signal: timed iteration index; corrupt: validation iteration */
    long long offset; /* corrupt: byte to flip; -1: the middle of the message */
};

/* Parses a spec; NULL or "" is no fault. Errors are GX_EINPUT with a one-line message. */
int gx_fault_parse(const char *spec, struct gx_fault *f, struct gx_err *err);
/* Reads GPUXFER_FAULT into the process-wide fault. */
int gx_fault_init(struct gx_err *err);
/* The process-wide fault (kind GX_FAULT_NONE when off). */
const struct gx_fault *gx_fault_get(void);

/* Called by the harness before timed iteration `iter` of a measurement of `size` bytes. */
void gx_fault_point(int rank, size_t size, long iter);
/* Called on a receiver after the transfer and before its check; buf must be CPU-addressable. */
void gx_fault_corrupt(int rank, size_t size, long iter, void *buf, size_t bytes);

/* Whether a cuda-oom or cuda-sticky fault concerns measurements of `size` bytes: then every rank
 * calls the hook below at that point and the pair agrees on its answer, so that a fault on one
 * side never leaves the other waiting. */
int gx_fault_gpu_due(size_t size);
/* cuda-oom on rank R: GX_ESKIP with the text of cudaMalloc's out of memory, every time.
 * cuda-sticky on rank R: launches the illegal-access kernel once and returns the sticky error
 * it leaves (GX_ERUNTIME). Anything else: GX_OK. */
int gx_fault_gpu(int rank, size_t size, struct gx_err *err);

#endif
