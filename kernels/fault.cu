// Fault injection on the GPU (GPUXFER_FAULT=cuda-sticky): a kernel that writes where no memory
// is mapped. The resulting cudaErrorIllegalAddress is sticky: the context is unusable after it,
// which is what the harness must survive cleanly.
#include "kernels.h"

#include <stdint.h>

static __global__ void illegal_access_kernel(int *where)
{
    *(volatile int *)where = 1;
}

extern "C" cudaError_t gx_kernel_illegal_access(cudaStream_t s)
{
    // An address in the first page: never mapped on the device.
    illegal_access_kernel<<<1, 1, 0, s>>>(reinterpret_cast<int *>((uintptr_t)64));
    return cudaGetLastError();
}
