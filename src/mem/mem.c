#include "config.h"
#include "mem.h"

#include "gpu_state.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Pageable buffers are mappings of their own: heap buffers given back each step leave holes that
 * grow the heap. Guard pages: one before holds the length, one after catches an overrun. */
static int pageable_alloc(size_t bytes, void **out, struct gx_err *err)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (bytes > SIZE_MAX - 3 * page)
        return gx_fail(err, GX_ESKIP, "%zu bytes of host memory cannot be mapped", bytes);
    size_t body = (bytes + page - 1) / page * page, len = body + 2 * page;
    char *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return gx_fail(err, GX_ESKIP, "out of host memory mapping %zu bytes: %s", bytes,
                       strerror(errno));
    *(size_t *)(void *)base = len;
    if (mprotect(base, page, PROT_READ) != 0 ||
        mprotect(base + page + body, page, PROT_NONE) != 0) {
        int e = errno;
        (void)munmap(base, len);
        return gx_fail(err, GX_ERUNTIME, "mprotect of a host buffer's guard pages: %s",
                       strerror(e));
    }
    *out = base + page;
    return GX_OK;
}

static void pageable_release(void *buf)
{
    if (!buf)
        return;
    char *base = (char *)buf - sysconf(_SC_PAGESIZE);
    (void)munmap(base, *(const size_t *)(const void *)base); /* fails only for a bad address */
}

static const struct gx_mem_ops gx_mem_pageable = {
    .alloc = pageable_alloc,
    .release = pageable_release,
    GX_MEM_CPU_FILLS,
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

/* Apart from the ops, so that kinds left out of the build are still named and described. */
static const struct {
    const char *name;
    unsigned props;
} gx_mem_kinds[GX_MEM_COUNT] = {
    [GX_MEM_PAGEABLE] = {"pageable", GX_MEM_HOST_ADDRESSABLE},
    [GX_MEM_PINNED] = {"pinned", GX_MEM_HOST_ADDRESSABLE | GX_MEM_GPU_ACCESSIBLE},
    [GX_MEM_DEVICE] = {"device", GX_MEM_GPU_RESIDENT | GX_MEM_GPU_ALLOCATED |
                                     GX_MEM_GPU_ACCESSIBLE | GX_MEM_NEEDS_CUDA_AWARE |
                                     GX_MEM_IPC_EXPORTABLE},
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
    if (kind != GX_MEM_PAGEABLE && gx_gpu_absent_why()[0])
        return gx_fail(why, GX_ESKIP, "%s", gx_gpu_absent_why());
    return GX_OK;
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
