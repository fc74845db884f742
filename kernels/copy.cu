// Data movement by the SMs: zero-copy transfers through mapped host memory, and page touches
// that make unified memory migrate on demand.
#include "kernels.h"
#include "launch.cuh"

#include <stdint.h>

static __global__ void copy16_kernel(uint4 *__restrict__ dst, const uint4 *__restrict__ src,
                                     size_t vecs)
{
    size_t stride = (size_t)gridDim.x * blockDim.x;
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    // Four independent 16-byte loads in flight per thread before the stores: over PCIe each
    // load waits a microsecond, so latency is hidden by loads in flight, not by threads alone.
    for (; i + 3 * stride < vecs; i += 4 * stride) {
        uint4 a = src[i], b = src[i + stride], c = src[i + 2 * stride], d = src[i + 3 * stride];
        dst[i] = a;
        dst[i + stride] = b;
        dst[i + 2 * stride] = c;
        dst[i + 3 * stride] = d;
    }
    for (; i < vecs; i += stride)
        dst[i] = src[i];
}

static __global__ void copy1_kernel(uint8_t *dst, const uint8_t *src, size_t n)
{
    size_t stride = (size_t)gridDim.x * blockDim.x;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        dst[i] = src[i];
}

static __global__ void touch_kernel(const volatile uint8_t *buf, size_t n, size_t page)
{
    size_t stride = (size_t)gridDim.x * blockDim.x;
    for (size_t p = (size_t)blockIdx.x * blockDim.x + threadIdx.x; p * page < n; p += stride)
        (void)buf[p * page]; // volatile: the read is made, and the page moves
}

extern "C" cudaError_t gx_kernel_copy(void *dst, const void *src, size_t n, cudaStream_t s)
{
    int blocks;
    cudaError_t e;
    uintptr_t d = (uintptr_t)dst, sr = (uintptr_t)src;
    if (n == 0)
        return cudaSuccess;
    if (((d | sr) & 15) == 0) {
        size_t vecs = n / 16, tail = n - vecs * 16;
        if (vecs) {
            if ((e = gx_grid_for(copy16_kernel, 512, vecs, &blocks)) != cudaSuccess)
                return e;
            copy16_kernel<<<blocks, 512, 0, s>>>(static_cast<uint4 *>(dst),
                                                 static_cast<const uint4 *>(src), vecs);
            if ((e = cudaGetLastError()) != cudaSuccess)
                return e;
        }
        if (!tail)
            return cudaSuccess;
        dst = static_cast<uint8_t *>(dst) + vecs * 16;
        src = static_cast<const uint8_t *>(src) + vecs * 16;
        n = tail;
    }
    if ((e = gx_grid_for(copy1_kernel, 256, n, &blocks)) != cudaSuccess)
        return e;
    copy1_kernel<<<blocks, 256, 0, s>>>(static_cast<uint8_t *>(dst),
                                        static_cast<const uint8_t *>(src), n);
    return cudaGetLastError();
}

extern "C" cudaError_t gx_kernel_touch(void *buf, size_t n, cudaStream_t s)
{
    const size_t page = 4096;
    int blocks;
    cudaError_t e = gx_grid_for(touch_kernel, 256, (n + page - 1) / page, &blocks);
    if (e != cudaSuccess)
        return e;
    touch_kernel<<<blocks, 256, 0, s>>>(static_cast<volatile uint8_t *>(buf), n, page);
    return cudaGetLastError();
}
