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

#endif
