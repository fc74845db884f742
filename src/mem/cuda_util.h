#ifndef GX_CUDA_UTIL_H
#define GX_CUDA_UTIL_H

#include "gx.h"

#include <cuda_runtime_api.h>
#include <mpi.h>

/* Without a driver, CUDA says "driver version is insufficient": this says it instead. */
#define GX_NO_CUDA_DRIVER "no CUDA driver"
static inline int gx_cuda_driver_version(cudaError_t *ce)
{
    int v = 0;
    *ce = cudaDriverGetVersion(&v);
    return *ce == cudaSuccess ? v : -1;
}

/* Out-of-memory is GX_ESKIP (that size is skipped); a sticky error marks the GPU lost. */
int gx_fail_cuda(struct gx_err *err, cudaError_t ce, const char *call, const char *file,
                 int line);

#define GX_CUDA_TRY(err, call)                                                                \
    do {                                                                                      \
        cudaError_t gx_ce_ = (call);                                                          \
        if (gx_ce_ != cudaSuccess)                                                            \
            return gx_fail_cuda((err), gx_ce_, #call, __FILE__, __LINE__);                   \
    } while (0)

int gx_cuda_util_stream(cudaStream_t *s, struct gx_err *err);

/* Exports `mine` through CUDA IPC and opens the peer's; both exchange even after a failure. */
int gx_cuda_ipc_swap(void *mine, int peer, MPI_Comm comm, int tag, void **theirs,
                     struct gx_err *err);

int gx_cuda_event_done(cudaEvent_t ev, int *done, struct gx_err *err);

static inline cudaError_t gx_cuda_prefetch(const void *p, size_t n, int to_gpu, int gpu,
                                           cudaStream_t s)
{
#if CUDART_VERSION >= 13000
    struct cudaMemLocation loc;
    loc.type = to_gpu ? cudaMemLocationTypeDevice : cudaMemLocationTypeHost;
    loc.id = to_gpu ? gpu : 0;
    return cudaMemPrefetchAsync(p, n, loc, 0, s);
#else
    return cudaMemPrefetchAsync(p, n, to_gpu ? gpu : cudaCpuDeviceId, s);
#endif
}

/* Places managed pages about to be overwritten on the host, discarding them where it can. */
static inline cudaError_t gx_cuda_discard_to_host(void *p, size_t n, int *no_discard,
                                                  cudaStream_t s)
{
#if CUDART_VERSION >= 13000
    if (!*no_discard) {
        void *ptrs[1] = {p};
        size_t sizes[1] = {n}, first[1] = {0};
        struct cudaMemLocation host = {.type = cudaMemLocationTypeHost, .id = 0};
        cudaError_t ce = cudaMemDiscardAndPrefetchBatchAsync(ptrs, sizes, 1, &host, first, 1, 0, s);
        if (ce != cudaErrorNotSupported && ce != cudaErrorInvalidValue)
            return ce;
        cudaGetLastError();
        *no_discard = 1;
    }
#else
    *no_discard = 1;
#endif
    return gx_cuda_prefetch(p, n, 0, 0, s);
}

#endif
