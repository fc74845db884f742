// What the kernels share: grid sizing, and the GPU's nanosecond clock.
#pragma once
#include <cuda_runtime_api.h>
#include <stddef.h>

// The GPU's global nanosecond timer, the same on every SM (clock64 counts cycles per SM).
static __device__ unsigned long long gx_now_ns()
{
    unsigned long long t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
}

// Enough resident blocks to fill every SM, never more than the work needs.
template <typename K>
static cudaError_t gx_grid_for(K kernel, int threads, size_t items, int *blocks)
{
    int dev = 0, sms = 0, per_sm = 0;
    cudaError_t e = cudaGetDevice(&dev);
    if (e == cudaSuccess)
        e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev);
    if (e == cudaSuccess)
        e = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, threads, 0);
    if (e != cudaSuccess)
        return e;
    size_t want = (items + threads - 1) / threads;
    size_t full = (size_t)sms * (size_t)(per_sm > 0 ? per_sm : 1);
    *blocks = (int)(want < full ? (want ? want : 1) : full);
    return cudaSuccess;
}
