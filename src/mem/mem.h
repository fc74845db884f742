#ifndef GX_MEM_H
#define GX_MEM_H

#include "fill.h"
#include "gx.h"

struct gx_mem_ops {
    int (*alloc)(size_t bytes, void **out, struct gx_err *err);
    void (*release)(void *buf);
    int (*fill)(void *buf, size_t n, uint32_t rank, uint32_t iter, struct gx_err *err);
    int (*poison)(void *buf, size_t n, struct gx_err *err);
    int (*check)(const void *buf, size_t n, uint32_t rank, uint32_t iter, int *ok, size_t *bad,
                 struct gx_err *err);
};

extern const struct gx_mem_ops *const gx_mem_table[GX_MEM_COUNT];

const char *gx_mem_name(int kind);
int gx_mem_usable(int kind, struct gx_err *why);
int gx_mem_lookup(const char *name);
/* What a kind of memory is, whether or not this build can allocate it. */
#define GX_MEM_GPU_RESIDENT     0x01u /* the data on the GPU when handed over (device, managed) */
#define GX_MEM_GPU_ALLOCATED    0x02u /* allocated from the GPU's own memory (cudaMalloc) */
#define GX_MEM_HOST_ADDRESSABLE 0x04u /* the CPU can read and write it */
#define GX_MEM_GPU_ACCESSIBLE   0x08u /* GPU kernels, copy engines and NCCL can use it */
#define GX_MEM_NEEDS_CUDA_AWARE 0x10u /* an MPI library takes it only when CUDA-aware */
#define GX_MEM_IPC_EXPORTABLE   0x20u /* cudaIpcGetMemHandle can export it to another process */
#define GX_MEM_MIGRATES         0x40u /* its pages move between host and GPU on demand (managed) */

int gx_mem_has(int kind, unsigned props);
int gx_mem_on_gpu(int kind);

#define GX_MEM_CPU_FILLS                                                                      \
    .fill = gx_mem_host_fill, .poison = gx_mem_host_poison, .check = gx_mem_host_check

#endif
