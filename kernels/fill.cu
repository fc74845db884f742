// Pattern fill and check on the GPU: the same function as the host's (src/base/fill.h), so data
// written by either side can be checked by either side.
#include "fill.h"
#include "kernels.h"
#include "launch.cuh"

static __global__ void fill_kernel(uint8_t *buf, size_t n, uint32_t rank, uint32_t iter)
{
    size_t words = n / 8, stride = (size_t)gridDim.x * blockDim.x;
    uint64_t *w = reinterpret_cast<uint64_t *>(buf);
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < words; i += stride)
        w[i] = gx_fill_word(rank, iter, i);
    size_t tail = (size_t)blockIdx.x * blockDim.x + threadIdx.x + words * 8;
    if (tail < n)
        buf[tail] = gx_fill_byte(rank, iter, tail);
}

static __global__ void check_kernel(const uint8_t *buf, size_t n, uint32_t rank, uint32_t iter,
                                    unsigned long long *first)
{
    size_t words = n / 8, stride = (size_t)gridDim.x * blockDim.x;
    const uint64_t *w = reinterpret_cast<const uint64_t *>(buf);
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < words; i += stride) {
        uint64_t want = gx_fill_word(rank, iter, i), got = w[i];
        if (got != want) {
            // The lowest differing byte of the word: bytes are little-endian.
            int b = __ffsll((long long)(got ^ want)) - 1;
            atomicMin(first, (unsigned long long)(i * 8 + b / 8));
        }
    }
    size_t tail = (size_t)blockIdx.x * blockDim.x + threadIdx.x + words * 8;
    if (tail < n && buf[tail] != gx_fill_byte(rank, iter, tail))
        atomicMin(first, (unsigned long long)tail);
}

extern "C" cudaError_t gx_kernel_fill(void *buf, size_t n, uint32_t rank, uint32_t iter,
                                      cudaStream_t s)
{
    int blocks;
    cudaError_t e = gx_grid_for(fill_kernel, 256, n / 8 + 8, &blocks);
    if (e != cudaSuccess)
        return e;
    fill_kernel<<<blocks, 256, 0, s>>>(static_cast<uint8_t *>(buf), n, rank, iter);
    return cudaGetLastError();
}

extern "C" cudaError_t gx_kernel_check(const void *buf, size_t n, uint32_t rank, uint32_t iter,
                                       unsigned long long *d_first, cudaStream_t s)
{
    int blocks;
    cudaError_t e = cudaMemsetAsync(d_first, 0xff, sizeof *d_first, s);
    if (e == cudaSuccess)
        e = gx_grid_for(check_kernel, 256, n / 8 + 8, &blocks);
    if (e != cudaSuccess)
        return e;
    check_kernel<<<blocks, 256, 0, s>>>(static_cast<const uint8_t *>(buf), n, rank, iter, d_first);
    return cudaGetLastError();
}
