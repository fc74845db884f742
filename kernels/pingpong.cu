// One ping-pong round trip between two GPUs, started and timed on the GPUs themselves: the
// message goes by SM stores into the peer's buffer (NVLink or PCIe peer mapping) and a flag
// word behind it. No host, copy engine or MPI is on the path, so the round trip is what the
// interconnect and the two GPUs' memory systems take (the peer load latency is under a
// microsecond on NVLink) rather than the microseconds of a launch or a host wake-up.
//
// Flag words, each written by the peer only (so a plain store suffices), sequence-numbered so
// that they never need resetting: see gx_pingpong_sig in kernels.h.
#include "kernels.h"
#include "launch.cuh"

// Thread 0 waits for *flag >= seq; the time limit keeps a peer that never answers (it failed,
// or the host never launched its half) from holding the GPU forever.
static __device__ bool wait_flag(volatile unsigned long long *flag, unsigned long long seq,
                                 unsigned long long t0, unsigned long long limit_ns)
{
    while (*flag < seq)
        if (gx_now_ns() - t0 > limit_ns)
            return false;
    return true;
}

static __device__ void copy_block(unsigned char *dst, const unsigned char *src, size_t n)
{
    size_t i = threadIdx.x;
    if ((((uintptr_t)dst | (uintptr_t)src) & 15) == 0) {
        for (; i < n / 16; i += blockDim.x)
            reinterpret_cast<uint4 *>(dst)[i] = reinterpret_cast<const uint4 *>(src)[i];
        i = n / 16 * 16 + threadIdx.x;
    }
    for (; i < n; i += blockDim.x)
        dst[i] = src[i];
}

// Every thread's stores reach the peer before thread 0 raises the flag behind them.
static __device__ void send(unsigned char *peer_dst, const unsigned char *src, size_t n,
                            unsigned long long *peer_flag, unsigned long long seq)
{
    copy_block(peer_dst, src, n);
    __threadfence_system();
    __syncthreads();
    if (threadIdx.x == 0)
        *(volatile unsigned long long *)peer_flag = seq;
}

static __global__ void pingpong_kernel(unsigned char *peer_dst, const unsigned char *src,
                                       size_t n, unsigned long long *my_sig,
                                       unsigned long long *peer_sig, unsigned long long seq,
                                       int initiator, unsigned long long limit_ns)
{
    __shared__ int ok;
    volatile unsigned long long *mine = my_sig;
    unsigned long long start = gx_now_ns(), t0 = 0;
    if (threadIdx.x == 0) {
        if (initiator) {
            // The responder's half is running: its launch is not part of the round trip.
            ok = wait_flag(&mine[GX_PP_ARMED], seq, start, limit_ns);
            t0 = gx_now_ns();
        } else {
            *(volatile unsigned long long *)&peer_sig[GX_PP_ARMED] = seq;
            ok = wait_flag(&mine[GX_PP_DATA], seq, start, limit_ns);
        }
    }
    __syncthreads();
    if (ok)
        send(peer_dst, src, n, &peer_sig[GX_PP_DATA], seq);
    if (threadIdx.x != 0)
        return;
    if (ok && initiator)
        ok = wait_flag(&mine[GX_PP_DATA], seq, start, limit_ns);
    mine[GX_PP_ROUNDTRIP_NS] = ok && initiator ? gx_now_ns() - t0 : 0;
    mine[GX_PP_TIMED_OUT] = !ok;
}

extern "C" cudaError_t gx_kernel_pingpong(void *peer_dst, const void *src, size_t n,
                                          unsigned long long *my_sig,
                                          unsigned long long *peer_sig, unsigned long long seq,
                                          int initiator, unsigned long long limit_ns,
                                          cudaStream_t s)
{
    pingpong_kernel<<<1, 512, 0, s>>>((unsigned char *)peer_dst, (const unsigned char *)src, n,
                                      my_sig, peer_sig, seq, initiator, limit_ns);
    return cudaGetLastError();
}
