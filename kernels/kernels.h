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
/* Reads every page of a managed buffer from the GPU, so that demand paging moves it. */
cudaError_t gx_kernel_touch(void *buf, size_t n, cudaStream_t s);
/* Fault injection only: one thread writes to an unmapped address, leaving the sticky
 * cudaErrorIllegalAddress for the next synchronization. */
cudaError_t gx_kernel_illegal_access(cudaStream_t s);

/* The p2p path's ping-pong (kernels/pingpong.cu; protocol and layouts in kernels/p2p_ll.h):
 * one block that makes round trips on command from ctl (the device pointer of pinned, mapped
 * host memory) until GX_LL_STOP or a failure, then returns. mine: this side's region of
 * GX_LL_REGION_BYTES, which the peer writes; peer: the peer's, opened by CUDA IPC. The
 * initiator starts and times each round trip; the responder answers. Every wait ends after
 * limit_ns. */
struct gx_ll_ctl;
cudaError_t gx_kernel_ll_pingpong(struct gx_ll_ctl *ctl, void *mine, void *peer, const void *src,
                                  void *dst, uint32_t peer_rank, int initiator,
                                  unsigned long long limit_ns, cudaStream_t s);

#ifdef __cplusplus
}
#endif

#endif
