/* Memory kinds: one ops table indexed by enum gx_mem_kind. */
#ifndef GX_MEM_H
#define GX_MEM_H

#include "gx.h"

struct gx_mem_ops {
    const char *what; /* for --help */
    /* GX_OK, or GX_ESKIP with the reason (e.g. built without CUDA, no GPU). */
    int (*usable)(struct gx_err *why);
    int (*alloc)(size_t bytes, void **out, struct gx_err *err);
    void (*release)(void *buf);
    /* Writes the pattern of (rank, iter) into buf. */
    int (*fill)(void *buf, size_t n, uint32_t rank, uint32_t iter, struct gx_err *err);
    int (*poison)(void *buf, size_t n, struct gx_err *err);
    /* *ok = 1 if buf holds the pattern, else 0 and *bad = first bad offset. */
    int (*check)(const void *buf, size_t n, uint32_t rank, uint32_t iter, int *ok, size_t *bad,
                 struct gx_err *err);
};

extern const struct gx_mem_ops *const gx_mem_table[GX_MEM_COUNT];

const char *gx_mem_name(int kind);
/* GX_OK, or GX_ESKIP with the reason this kind cannot be used in this process. */
int gx_mem_usable(int kind, struct gx_err *why);
/* Kind by name, or -1. */
int gx_mem_lookup(const char *name);
/* 1 for kinds whose buffers are GPU memory (device, managed), 0 for host memory or -1. */
int gx_mem_on_gpu(int kind);

/* Host-memory implementations, shared by every kind the CPU can address. */
int gx_mem_host_fill(void *buf, size_t n, uint32_t rank, uint32_t iter, struct gx_err *err);
int gx_mem_host_poison(void *buf, size_t n, struct gx_err *err);
int gx_mem_host_check(const void *buf, size_t n, uint32_t rank, uint32_t iter, int *ok,
                      size_t *bad, struct gx_err *err);

#endif
