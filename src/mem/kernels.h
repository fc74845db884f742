/* C entry points of the CUDA kernels in kernels/, e.g. fill.cu. Each returns a cudaError_t (launch
 * errors included); none synchronizes. */
#ifndef GX_KERNELS_H
#define GX_KERNELS_H

#include <cuda_runtime_api.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The message pattern of (rank, iter) over n bytes (buf 8-byte aligned). */
cudaError_t gx_kernel_fill(void *buf, size_t n, uint32_t rank, uint32_t iter, cudaStream_t s);
/* Writes into *d_first (device memory) the first offset that differs from the pattern, or
 * UINT64_MAX when all match. */
cudaError_t gx_kernel_check(const void *buf, size_t n, uint32_t rank, uint32_t iter,
                            unsigned long long *d_first, cudaStream_t s);
/* dst = src by SM loads/stores (16-byte vectors when both are 16-byte aligned), grid-stride,
 * enough blocks to fill the GPU: the zero-copy path's only data mover. */
cudaError_t gx_kernel_copy(void *dst, const void *src, size_t n, cudaStream_t s);
/* Touches every page of a managed buffer from the GPU (reads, or writes when write != 0), so
 * that demand paging moves it. */
cudaError_t gx_kernel_touch(void *buf, size_t n, int write, cudaStream_t s);
/* Fault injection only: one thread writes to an unmapped address, leaving the sticky
 * cudaErrorIllegalAddress for the next synchronization. */
cudaError_t gx_kernel_illegal_access(cudaStream_t s);

/* One thread that spins until *go (host-mapped memory, device pointer) is non-zero or limit_ns
 * have passed: holds the stream while the host enqueues the copies to be timed. */
cudaError_t gx_kernel_spin(const volatile int *go, unsigned long long limit_ns, cudaStream_t s);

/* Flag words of a GPU-to-GPU ping-pong (kernels/pingpong.cu), in device memory the peer has
 * mapped; each is written by one side only and holds the sequence number of the round trip. */
enum gx_pingpong_sig {
    GX_PP_ARMED,        /* the responder's half is running (written by the responder) */
    GX_PP_DATA,         /* the message is in this side's buffer (written by the sender) */
    GX_PP_ROUNDTRIP_NS, /* the initiator's own: the round trip it timed */
    GX_PP_TIMED_OUT,    /* own: non-zero when a wait ran past its limit */
    GX_PP_WORDS
};
/* One round trip of n bytes: the initiator waits until the responder's half is armed, stores src
 * into peer_dst, raises the peer's GX_PP_DATA flag and waits for the reply; the responder waits
 * for the message and answers in kind. Both halves run as one block; limit_ns bounds each wait. */
cudaError_t gx_kernel_pingpong(void *peer_dst, const void *src, size_t n,
                               unsigned long long *my_sig, unsigned long long *peer_sig,
                               unsigned long long seq, int initiator, unsigned long long limit_ns,
                               cudaStream_t s);

#ifdef __cplusplus
}
#endif

#endif
