// Holds a stream until the host says go, so that the copies enqueued behind it start back to
// back and the events around them time the copies alone, not the host's cost of enqueuing
// them. A time limit keeps a host that never says go (or that blocks while enqueuing) from
// holding the GPU forever.
#include "kernels.h"
#include "launch.cuh"

static __global__ void spin_kernel(const volatile int *go, unsigned long long limit_ns)
{
    unsigned long long t0 = gx_now_ns();
    while (!*go && gx_now_ns() - t0 < limit_ns)
        __nanosleep(1000);
}

extern "C" cudaError_t gx_kernel_spin(const volatile int *go, unsigned long long limit_ns,
                                      cudaStream_t s)
{
    spin_kernel<<<1, 1, 0, s>>>(go, limit_ns);
    return cudaGetLastError();
}
