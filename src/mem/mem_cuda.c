#include "config.h"

#include "cuda_util.h"
#include "gpu_state.h"
#include "kernels.h"
#include "mem.h"

#include <string.h>

/* Errors after which every later CUDA call of the process fails the same way. */
static int is_sticky(cudaError_t ce)
{
    static const cudaError_t sticky[] = {
        cudaErrorIllegalAddress,    cudaErrorLaunchFailure,      cudaErrorLaunchTimeout,
        cudaErrorHardwareStackError, cudaErrorIllegalInstruction, cudaErrorMisalignedAddress,
        cudaErrorInvalidAddressSpace, cudaErrorInvalidPc,        cudaErrorAssert,
        cudaErrorECCUncorrectable,
    };
    for (size_t i = 0; i < GX_ARRAY_LEN(sticky); i++)
        if (ce == sticky[i])
            return 1;
    return 0;
}

int gx_fail_cuda(struct gx_err *err, cudaError_t ce, const char *call, const char *file, int line)
{
    int rc = ce == cudaErrorMemoryAllocation ? GX_ESKIP : GX_ERUNTIME;
    if (ce == cudaErrorMemoryAllocation)
        cudaGetLastError(); /* not sticky: the next size may fit */
    int sticky = is_sticky(ce);
    gx_fail(err, rc, "%s%s failed at %s:%d: %s (%s)", sticky ? "sticky CUDA error: " : "", call,
            file, line, cudaGetErrorString(ce), cudaGetErrorName(ce));
    if (sticky)
        gx_gpu_lost_mark(err->msg);
    return rc;
}

int gx_cuda_util_stream(cudaStream_t *s, struct gx_err *err)
{
    static cudaStream_t util;
    static int device = -1;
    int dev;
    GX_CUDA_TRY(err, cudaGetDevice(&dev));
    if (device != dev) {
        GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&util, cudaStreamNonBlocking));
        device = dev;
    }
    *s = util;
    return GX_OK;
}

int gx_cuda_ipc_swap(void *mine, int peer, MPI_Comm comm, int tag, void **theirs,
                     struct gx_err *err)
{
    cudaIpcMemHandle_t h_mine, h_theirs;
    memset(&h_mine, 0, sizeof h_mine);
    int rc = GX_OK;
    cudaError_t ce = mine ? cudaIpcGetMemHandle(&h_mine, mine) : cudaErrorInvalidValue;
    if (ce != cudaSuccess)
        rc = gx_fail_cuda(err, ce, "cudaIpcGetMemHandle", __FILE__, __LINE__);
    GX_MPI_TRY(err, MPI_Sendrecv(&h_mine, sizeof h_mine, MPI_BYTE, peer, tag, &h_theirs,
                                 sizeof h_theirs, MPI_BYTE, peer, tag, comm, MPI_STATUS_IGNORE));
    GX_TRY(rc);
    GX_CUDA_TRY(err, cudaIpcOpenMemHandle(theirs, h_theirs, cudaIpcMemLazyEnablePeerAccess));
    return GX_OK;
}

int gx_cuda_event_done(cudaEvent_t ev, int *done, struct gx_err *err)
{
    cudaError_t ce = cudaEventQuery(ev);
    if (ce == cudaErrorNotReady) {
        *done = 0;
        return GX_OK;
    }
    GX_CUDA_TRY(err, ce);
    *done = 1;
    return GX_OK;
}

static int gpu_fill(void *buf, size_t n, uint32_t rank, uint32_t iter, struct gx_err *err)
{
    cudaStream_t s;
    GX_TRY(gx_cuda_util_stream(&s, err));
    GX_CUDA_TRY(err, gx_kernel_fill(buf, n, rank, iter, s));
    GX_CUDA_TRY(err, cudaStreamSynchronize(s));
    return GX_OK;
}

static int gpu_poison(void *buf, size_t n, struct gx_err *err)
{
    cudaStream_t s;
    GX_TRY(gx_cuda_util_stream(&s, err));
    GX_CUDA_TRY(err, cudaMemsetAsync(buf, GX_POISON_BYTE, n, s));
    GX_CUDA_TRY(err, cudaStreamSynchronize(s));
    return GX_OK;
}

static int gpu_check(const void *buf, size_t n, uint32_t rank, uint32_t iter, int *ok,
                     size_t *bad, struct gx_err *err)
{
    static unsigned long long *d_first, h_first;
    cudaStream_t s;
    GX_TRY(gx_cuda_util_stream(&s, err));
    if (!d_first)
        GX_CUDA_TRY(err, cudaMalloc((void **)&d_first, sizeof *d_first));
    GX_CUDA_TRY(err, gx_kernel_check(buf, n, rank, iter, d_first, s));
    GX_CUDA_TRY(err, cudaMemcpyAsync(&h_first, d_first, sizeof h_first, cudaMemcpyDeviceToHost, s));
    GX_CUDA_TRY(err, cudaStreamSynchronize(s));
    *ok = h_first == ~0ull;
    *bad = *ok ? 0 : (size_t)h_first;
    return GX_OK;
}

#define GPU_FILLS .fill = gpu_fill, .poison = gpu_poison, .check = gpu_check

/* Whole 2 MiB granules: an IPC handle names the driver's whole block, which MPI may have mapped. */
#define GX_DEVICE_GRANULE ((size_t)2 << 20)

static int device_alloc(size_t bytes, void **out, struct gx_err *err)
{
    size_t rounded = (bytes + GX_DEVICE_GRANULE - 1) / GX_DEVICE_GRANULE * GX_DEVICE_GRANULE;
    GX_CUDA_TRY(err, cudaMalloc(out, rounded));
    return GX_OK;
}

static void device_release(void *buf)
{
    cudaFree(buf); /* teardown: nothing useful to do with a failure here */
}

const struct gx_mem_ops gx_mem_device = {
    .alloc = device_alloc,
    .release = device_release,
    GPU_FILLS,
};

static int managed_alloc(size_t bytes, void **out, struct gx_err *err)
{
    size_t free_b = 0, total = 0; /* oversubscribing managed memory can hang the GPU */
    GX_CUDA_TRY(err, cudaMemGetInfo(&free_b, &total));
    if (bytes > free_b / 2)
        return gx_fail(err, GX_ESKIP, "managed buffer of %zu bytes is more than half of the "
                       "GPU's %zu free bytes", bytes, free_b);
    GX_CUDA_TRY(err, cudaMallocManaged(out, bytes, cudaMemAttachGlobal));
    return GX_OK;
}

const struct gx_mem_ops gx_mem_managed = {
    .alloc = managed_alloc,
    .release = device_release,
    GPU_FILLS,
};

static int pinned_alloc(size_t bytes, void **out, struct gx_err *err)
{
    GX_CUDA_TRY(err, cudaHostAlloc(out, bytes, cudaHostAllocPortable));
    return GX_OK;
}

static int mapped_alloc(size_t bytes, void **out, struct gx_err *err)
{
    GX_CUDA_TRY(err, cudaHostAlloc(out, bytes, cudaHostAllocMapped | cudaHostAllocPortable));
    return GX_OK;
}

static void host_release(void *buf)
{
    cudaFreeHost(buf);
}

const struct gx_mem_ops gx_mem_pinned = {
    .alloc = pinned_alloc,
    .release = host_release,
    GX_MEM_CPU_FILLS,
};

const struct gx_mem_ops gx_mem_mapped = {
    .alloc = mapped_alloc,
    .release = host_release,
    GX_MEM_CPU_FILLS,
};
