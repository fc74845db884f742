// Grid sizing shared by the kernels: enough resident blocks to fill every SM, never more
// than the work needs.
#pragma once
#include <cuda_runtime_api.h>
#include <stddef.h>

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
