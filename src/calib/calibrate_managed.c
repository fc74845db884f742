/* Calibration, managed memory: what unified memory itself reaches on this rank's GPU, the rates
 * that bound the unified paths' stages:
 *   prefetch to the host  cudaMemPrefetchAsync of pages resident on the GPU;
 *   prefetch to the GPU   cudaMemPrefetchAsync of pages resident on the host;
 *   fault-in              gx_kernel_touch (unified-demand's) on pages resident on the host.
 * A repeat first puts the pages where they must come from (untimed), then moves up to
 * GX_CAL_MAX_COPIES pieces of the size back to back, each a different piece of one buffer (a
 * page moved once would not move again): about GX_CAL_TARGET_BYTES, as the copy ceilings.
 * Pieces start PIECE_ALIGN apart, so that no two share a block the driver migrates as one.
 * No spin kernel holds the stream: a prefetch may do part of its work on the host as it is
 * enqueued, which the paths pay too, and could block there behind a held stream. CUDA events
 * from before the first enqueue to after the last time the pieces. */
#include "config.h"
#include "calibrate.h"

#include "cuda_util.h"
#include "gpu.h"
#include "kernels.h"

#include <string.h>

enum { TO_HOST, TO_GPU, FAULT_IN, NMOVES };

struct managed_rig {
    int gpu;
    cudaStream_t s;
    cudaEvent_t start, stop;
    char *buf;
};

/* The largest unit the driver migrates at once: a GPU fault may pull in a whole 2 MiB block. */
#define PIECE_ALIGN ((size_t)2 << 20)

/* The distance between pieces of `size`. */
static size_t stride_of(size_t size)
{
    return (size + PIECE_ALIGN - 1) / PIECE_ALIGN * PIECE_ALIGN;
}

/* The pieces a repeat at `size` moves: as many as copies would, within about
 * GX_CAL_TARGET_BYTES of buffer (at least one). */
static int pieces_of(size_t size)
{
    size_t fit = GX_CAL_TARGET_BYTES / stride_of(size);
    int count = gx_cal_copies_for(size);
    return fit < 1 ? 1 : (size_t)count > fit ? (int)fit : count;
}

/* The bytes a repeat at `size` spans. */
static size_t span_of(size_t size)
{
    return (size_t)pieces_of(size) * stride_of(size);
}

static void rig_free(struct managed_rig *m)
{
    if (m->buf)
        cudaFree(m->buf);
    if (m->s)
        cudaStreamDestroy(m->s);
    if (m->start)
        cudaEventDestroy(m->start);
    if (m->stop)
        cudaEventDestroy(m->stop);
    cudaGetLastError();
    memset(m, 0, sizeof *m);
}

/* The buffer's pages are made on the GPU (a memset there), so that the first move copies. */
static int rig_init(struct managed_rig *m, int gpu, size_t bytes, struct gx_err *err)
{
    memset(m, 0, sizeof *m);
    m->gpu = gpu;
    GX_CUDA_TRY(err, cudaSetDevice(gpu));
    GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&m->s, cudaStreamNonBlocking));
    GX_CUDA_TRY(err, cudaEventCreate(&m->start));
    GX_CUDA_TRY(err, cudaEventCreate(&m->stop));
    void *p = NULL;
    GX_CUDA_TRY(err, cudaMallocManaged(&p, bytes, cudaMemAttachGlobal));
    m->buf = p;
    GX_CUDA_TRY(err, cudaMemsetAsync(m->buf, 0x5a, bytes, m->s));
    GX_CUDA_TRY(err, cudaStreamSynchronize(m->s));
    return GX_OK;
}

/* One repeat of `move` at `size`: GB/s of its pieces together. */
static int repeat(struct managed_rig *m, int move, size_t size, double *gbps, struct gx_err *err)
{
    int count = pieces_of(size);
    /* Prefetch to the host starts from the GPU; the two others from the host. */
    GX_CUDA_TRY(err, gx_cuda_prefetch(m->buf, span_of(size), move == TO_HOST, m->gpu, m->s));
    GX_CUDA_TRY(err, cudaStreamSynchronize(m->s));
    GX_CUDA_TRY(err, cudaEventRecord(m->start, m->s));
    for (int c = 0; c < count; c++) {
        char *piece = m->buf + (size_t)c * stride_of(size);
        if (move == FAULT_IN)
            GX_CUDA_TRY(err, gx_kernel_touch(piece, size, 0, m->s));
        else
            GX_CUDA_TRY(err, gx_cuda_prefetch(piece, size, move == TO_GPU, m->gpu, m->s));
    }
    GX_CUDA_TRY(err, cudaEventRecord(m->stop, m->s));
    GX_CUDA_TRY(err, cudaEventSynchronize(m->stop));
    float ms = 0;
    GX_CUDA_TRY(err, cudaEventElapsedTime(&ms, m->start, m->stop));
    if (!(ms > 0))
        return gx_fail(err, GX_ERUNTIME, "managed moves of %zu bytes timed at 0 ms", size);
    *gbps = (double)size * count / (ms * 1e-3) / 1e9;
    return GX_OK;
}

/* Every point of the curve that fits in the buffer (warm-up, then GX_CAL_REPEATS). A CUDA
 * error ends the curve: the rest is absent with it. */
static void measure_curve(struct managed_rig *m, int move, struct gx_ceil_curve *c,
                          size_t bytes)
{
    for (int i = 0; i < c->n; i++) {
        struct gx_ceil_point *p = &c->pts[i];
        if (p->repeats || p->absent[0] || span_of(p->size) > bytes)
            continue;
        double v[GX_CAL_REPEATS], warm;
        struct gx_err err = {0};
        int rc = repeat(m, move, p->size, &warm, &err);
        for (int k = 0; k < GX_CAL_REPEATS && rc == GX_OK; k++)
            rc = repeat(m, move, p->size, &v[k], &err);
        if (rc != GX_OK) {
            cudaGetLastError();
            gx_cal_absent_from(c, i, err.msg);
            return;
        }
        gx_cal_point_set(p, v, GX_CAL_REPEATS);
    }
}

static void all_absent(struct gx_ceil_curve c[NMOVES], const char *why)
{
    for (int k = 0; k < NMOVES; k++)
        if (c[k].n && !c[k].absent[0])
            snprintf(c[k].absent, sizeof c[k].absent, "%.199s", why);
}

/* The bytes the sizes need that the host may hold (their pages all end there in turn); the
 * others are marked absent. All curves have the same sizes. */
static size_t plan_bytes(const struct gx_job *job, struct gx_ceil_curve c[NMOVES])
{
    size_t limit = gx_cal_host_limit(job), bytes = 0;
    for (int i = 0; i < c[0].n; i++) {
        size_t span = span_of(c[0].pts[i].size);
        if (span <= limit) {
            bytes = span > bytes ? span : bytes;
            continue;
        }
        for (int k = 0; k < NMOVES; k++)
            snprintf(c[k].pts[i].absent, sizeof c[k].pts[i].absent, "%zu bytes of managed "
                     "memory is more than a quarter of this node's memory per rank", span);
    }
    return bytes;
}

void gx_cal_managed(const struct gx_job *job, struct gx_ceil_curve c[NMOVES])
{
    const char *no_gpu = gx_gpu_absent_why();
    if (job->gpu < 0 || no_gpu[0]) {
        all_absent(c, no_gpu[0] ? no_gpu : "no GPU");
        return;
    }
    int g = job->gpu, concurrent = 0;
    cudaError_t ce = cudaDeviceGetAttribute(&concurrent, cudaDevAttrConcurrentManagedAccess, g);
    if (ce != cudaSuccess || !concurrent) {
        struct gx_err err = {0};
        if (ce != cudaSuccess)
            gx_fail_cuda(&err, ce, "cudaDeviceGetAttribute", __FILE__, __LINE__);
        else
            snprintf(err.msg, sizeof err.msg, "GPU %d has no concurrent managed access "
                     "(prefetch and demand paging need it)", g);
        cudaGetLastError();
        all_absent(c, err.msg);
        return;
    }
    snprintf(c[TO_HOST].what, sizeof c[TO_HOST].what,
             "cudaMemPrefetchAsync of managed memory GPU %d -> host", g);
    snprintf(c[TO_GPU].what, sizeof c[TO_GPU].what,
             "cudaMemPrefetchAsync of managed memory host -> GPU %d", g);
    snprintf(c[FAULT_IN].what, sizeof c[FAULT_IN].what,
             "gx_kernel_touch on GPU %d faulting in managed pages from the host", g);
    size_t bytes = plan_bytes(job, c);
    if (bytes == 0)
        return;
    struct managed_rig m;
    struct gx_err err = {0};
    if (rig_init(&m, g, bytes, &err) != GX_OK) {
        cudaGetLastError();
        all_absent(c, err.msg);
    } else {
        for (int k = 0; k < NMOVES; k++)
            measure_curve(&m, k, &c[k], bytes);
    }
    rig_free(&m);
}

int gx_cal_managed_as_moved(void *buf, size_t n, int gpu, int sent, int *no_discard,
                            struct gx_err *err)
{
    /* The legacy default stream: it orders these against every other stream of the process,
     * which untimed set-up can afford. */
    GX_CUDA_TRY(err, gx_cuda_prefetch(buf, n, 1, gpu, 0));
    GX_CUDA_TRY(err, sent ? gx_cuda_prefetch(buf, n, 0, gpu, 0)
                          : gx_cuda_discard_to_host(buf, n, no_discard, 0));
    GX_CUDA_TRY(err, cudaStreamSynchronize(0));
    return GX_OK;
}
