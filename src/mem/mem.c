#include "config.h"
#include "mem.h"

#include "fill.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int gx_mem_host_fill(void *buf, size_t n, uint32_t rank, uint32_t iter, struct gx_err *err)
{
    (void)err;
    gx_fill_host(buf, n, rank, iter);
    return GX_OK;
}

int gx_mem_host_poison(void *buf, size_t n, struct gx_err *err)
{
    (void)err;
    memset(buf, GX_POISON_BYTE, n);
    return GX_OK;
}

int gx_mem_host_check(const void *buf, size_t n, uint32_t rank, uint32_t iter, int *ok,
                      size_t *bad, struct gx_err *err)
{
    (void)err;
    *ok = gx_check_host(buf, n, rank, iter, bad);
    return GX_OK;
}

static int pageable_usable(struct gx_err *why)
{
    (void)why;
    return GX_OK;
}

static int pageable_alloc(size_t bytes, void **out, struct gx_err *err)
{
    /* Page alignment, as real applications' large buffers usually are. */
    size_t align = (size_t)sysconf(_SC_PAGESIZE);
    if (posix_memalign(out, align, bytes) != 0)
        return gx_fail(err, GX_ESKIP, "out of host memory allocating %zu bytes", bytes);
    return GX_OK;
}

static const struct gx_mem_ops gx_mem_pageable = {
    .what = "host memory from malloc",
    .usable = pageable_usable,
    .alloc = pageable_alloc,
    .release = free,
    .fill = gx_mem_host_fill,
    .poison = gx_mem_host_poison,
    .check = gx_mem_host_check,
};

#ifdef HAVE_CUDA
extern const struct gx_mem_ops gx_mem_pinned, gx_mem_device, gx_mem_managed, gx_mem_mapped;
#endif

const struct gx_mem_ops *const gx_mem_table[GX_MEM_COUNT] = {
    [GX_MEM_PAGEABLE] = &gx_mem_pageable,
#ifdef HAVE_CUDA
    [GX_MEM_PINNED] = &gx_mem_pinned,
    [GX_MEM_DEVICE] = &gx_mem_device,
    [GX_MEM_MANAGED] = &gx_mem_managed,
    [GX_MEM_MAPPED] = &gx_mem_mapped,
#endif
};

/* Names and properties live apart from the ops, so that kinds left out of the build still have
 * them (an absent kind is still named and described in a skip reason or a plan). */
static const struct {
    const char *name;
    unsigned props;
} gx_mem_kinds[GX_MEM_COUNT] = {
    [GX_MEM_PAGEABLE] = {"pageable", GX_MEM_HOST_ADDRESSABLE},
    [GX_MEM_PINNED] = {"pinned", GX_MEM_HOST_ADDRESSABLE | GX_MEM_GPU_ACCESSIBLE},
    [GX_MEM_DEVICE] = {"device", GX_MEM_GPU_RESIDENT | GX_MEM_GPU_ALLOCATED | GX_MEM_GPU_ACCESSIBLE |
                                     GX_MEM_NEEDS_CUDA_AWARE | GX_MEM_IPC_EXPORTABLE},
    /* Managed memory is handed over where the application produced it, on the GPU. */
    [GX_MEM_MANAGED] = {"managed", GX_MEM_GPU_RESIDENT | GX_MEM_HOST_ADDRESSABLE |
                                       GX_MEM_GPU_ACCESSIBLE | GX_MEM_MIGRATES},
    [GX_MEM_MAPPED] = {"mapped", GX_MEM_HOST_ADDRESSABLE | GX_MEM_GPU_ACCESSIBLE},
};

const char *gx_mem_name(int kind)
{
    return kind >= 0 && kind < GX_MEM_COUNT ? gx_mem_kinds[kind].name : "default";
}

int gx_mem_usable(int kind, struct gx_err *why)
{
    if (!gx_mem_table[kind])
        return gx_fail(why, GX_ESKIP, "memory kind '%s' needs CUDA, which this build lacks",
                       gx_mem_kinds[kind].name);
    return gx_mem_table[kind]->usable(why);
}

int gx_mem_has(int kind, unsigned props)
{
    return kind >= 0 && kind < GX_MEM_COUNT && (gx_mem_kinds[kind].props & props) == props;
}

int gx_mem_on_gpu(int kind)
{
    return gx_mem_has(kind, GX_MEM_GPU_RESIDENT);
}

int gx_mem_lookup(const char *name)
{
    for (int k = 0; k < GX_MEM_COUNT; k++)
        if (strcmp(gx_mem_kinds[k].name, name) == 0)
            return k;
    return -1;
}
