/* Calibration, CUDA parts: copy-engine bandwidth of this rank's GPU (H2D, D2H with pinned host
 * memory), what its SMs reach on mapped pinned host memory (gx_kernel_copy, the zerocopy path's
 * mover, writing and reading it), and peer copies to another GPU of the node, in this one
 * process.
 *
 * Each repeat holds its stream(s) with a spin kernel while the copies are enqueued, then
 * releases it; CUDA events around the copies time them as the GPU ran them, back to back, so
 * the host's enqueue cost does not show (as nvbandwidth measures). */
#include "config.h"
#include "calibrate.h"

#include "cuda_util.h"
#include "gpu.h"
#include "kernels.h"
#include "mplan.h"
#include "path.h"

#include <stdlib.h>
#include <string.h>

/* Copies are enqueued behind one spin kernel, GX_CAL_MAX_COPIES at most: a blocked host could
 * not release the spin kernel before its time limit. A kernel copy whose size is no multiple
 * of 16 bytes is two launches: half as many of them. */
#define MAX_KERNEL_COPIES (GX_CAL_MAX_COPIES / 2)
#define SPIN_LIMIT_NS 2000000000ull

/* Streams, events and the go flag of one measurement. Stream i and its events live on
 * device dev[i]: a copy both ways between two GPUs is pushed by each GPU's own copy engines,
 * as two processes on those GPUs would push. */
struct rig {
    int dev[2], home;
    cudaStream_t s[2];
    cudaEvent_t start[2], stop[2];
    volatile int *go;     /* host-mapped, portable: every device reads it at the same address */
    int *go_dev;
};

/* One copy per stream per step: dst <- src; dev >= 0 for peer copies (cudaMemcpyPeerAsync);
 * by_sm: by gx_kernel_copy instead of a copy engine; window_gbps > 0: a repeat is as many
 * copies as the window of a path of that nominal rate (gx_default_window_at), else
 * gx_cal_copies_for's. */
struct copy_job {
    int nstreams;
    void *dst[2];
    const void *src[2];
    int dst_dev[2], src_dev[2];
    int by_sm;
    double window_gbps;
};

static void rig_free(struct rig *r)
{
    for (int i = 0; i < 2; i++) {
        cudaSetDevice(r->dev[i]);
        if (r->s[i])
            cudaStreamDestroy(r->s[i]);
        if (r->start[i])
            cudaEventDestroy(r->start[i]);
        if (r->stop[i])
            cudaEventDestroy(r->stop[i]);
    }
    cudaSetDevice(r->home);
    if (r->go)
        cudaFreeHost((void *)r->go);
    memset(r, 0, sizeof *r);
}

/* On failure the caller still calls rig_free, which goes back to `home`. */
static int rig_init(struct rig *r, int home, int dev1, struct gx_err *err)
{
    memset(r, 0, sizeof *r);
    r->home = r->dev[0] = home;
    r->dev[1] = dev1;
    for (int i = 0; i < 2; i++) {
        GX_CUDA_TRY(err, cudaSetDevice(r->dev[i]));
        GX_CUDA_TRY(err, cudaStreamCreateWithFlags(&r->s[i], cudaStreamNonBlocking));
        GX_CUDA_TRY(err, cudaEventCreate(&r->start[i]));
        GX_CUDA_TRY(err, cudaEventCreate(&r->stop[i]));
    }
    GX_CUDA_TRY(err, cudaSetDevice(home));
    void *go = NULL;
    GX_CUDA_TRY(err, cudaHostAlloc(&go, sizeof(int), cudaHostAllocMapped | cudaHostAllocPortable));
    r->go = go;
    *r->go = 0;
    GX_CUDA_TRY(err, cudaHostGetDevicePointer((void **)&r->go_dev, go, 0));
    return GX_OK;
}

/* One repeat: GB/s of all streams' copies together, from the first start to the last stop. */
static int repeat(struct rig *r, const struct copy_job *j, size_t size, double *gbps,
                  struct gx_err *err)
{
    long window = j->window_gbps > 0 ? gx_default_window_at(size, j->window_gbps) : 0;
    int count = window > 0 ? (int)(window < GX_CAL_MAX_COPIES ? window : GX_CAL_MAX_COPIES)
                           : gx_cal_copies_for(size);
    if (j->by_sm && count > MAX_KERNEL_COPIES)
        count = MAX_KERNEL_COPIES;
    *r->go = 0;
    __sync_synchronize();
    /* Each stream is held while its copies are enqueued; the device is its stream's. */
    for (int i = 0; i < j->nstreams; i++) {
        GX_CUDA_TRY(err, cudaSetDevice(r->dev[i]));
        GX_CUDA_TRY(err, gx_kernel_spin(r->go_dev, SPIN_LIMIT_NS, r->s[i]));
        GX_CUDA_TRY(err, cudaEventRecord(r->start[i], r->s[i]));
        for (int c = 0; c < count; c++) {
            if (j->by_sm)
                GX_CUDA_TRY(err, gx_kernel_copy(j->dst[i], j->src[i], size, r->s[i]));
            else if (j->dst_dev[i] >= 0)
                GX_CUDA_TRY(err, cudaMemcpyPeerAsync(j->dst[i], j->dst_dev[i], j->src[i],
                                                     j->src_dev[i], size, r->s[i]));
            else
                GX_CUDA_TRY(err, cudaMemcpyAsync(j->dst[i], j->src[i], size, cudaMemcpyDefault,
                                                 r->s[i]));
        }
        GX_CUDA_TRY(err, cudaEventRecord(r->stop[i], r->s[i]));
    }
    GX_CUDA_TRY(err, cudaSetDevice(r->home));
    __sync_synchronize();
    *r->go = 1; /* the copies start now, back to back */
    __sync_synchronize();
    float longest = 0;
    for (int i = 0; i < j->nstreams; i++) {
        float ms = 0;
        GX_CUDA_TRY(err, cudaEventSynchronize(r->stop[i]));
        GX_CUDA_TRY(err, cudaEventElapsedTime(&ms, r->start[i], r->stop[i]));
        longest = ms > longest ? ms : longest;
    }
    if (!(longest > 0))
        return gx_fail(err, GX_ERUNTIME, "copies of %zu bytes timed at 0 ms", size);
    *gbps = (double)size * count * j->nstreams / (longest * 1e-3) / 1e9;
    return GX_OK;
}

/* Every point of the curve from the job (warm-up, then GX_CAL_REPEATS); sizes above `fit`
 * are already absent. A CUDA error ends the curve: the rest is absent with it. */
static void measure_curve(struct rig *r, const struct copy_job *j, struct gx_ceil_curve *c,
                          int fit)
{
    for (int i = 0; i < c->n && i < fit; i++) {
        struct gx_ceil_point *p = &c->pts[i];
        double v[GX_CAL_REPEATS], warm;
        struct gx_err err = {0};
        int rc = repeat(r, j, p->size, &warm, &err);
        for (int k = 0; k < GX_CAL_REPEATS && rc == GX_OK; k++)
            rc = repeat(r, j, p->size, &v[k], &err);
        if (rc != GX_OK) {
            cudaGetLastError();
            cudaSetDevice(r->home);
            gx_cal_absent_from(c, i, err.msg);
            return;
        }
        gx_cal_point_set(p, v, GX_CAL_REPEATS);
    }
}

void gx_cal_gpu_busid(const struct gx_job *job, char *buf, size_t len)
{
    buf[0] = '\0';
    if (job->gpu < 0 || gx_gpu_absent_why()[0])
        return;
    if (cudaDeviceGetPCIBusId(buf, (int)len, job->gpu) != cudaSuccess) {
        cudaGetLastError();
        buf[0] = '\0';
    }
}

/* The number of sizes, from the smallest, that fit in memory; sizes are increasing, so one
 * allocation of the largest that fits serves them all. */
#define HOST_PINNED (-1)
#define HOST_MAPPED (-2) /* pinned and mapped into the GPUs' address space, as zerocopy's */
struct bufs {
    void *p[4];
    void *gpu_view[4]; /* the address a kernel uses: p, or a mapped host buffer's device pointer */
    int dev[4];        /* device of each, or HOST_PINNED, HOST_MAPPED */
    int n;
};

static void bufs_free(struct bufs *b, int home)
{
    for (int i = 0; i < b->n; i++) {
        if (!b->p[i])
            continue;
        if (b->dev[i] < 0) {
            cudaFreeHost(b->p[i]);
            cudaGetLastError();
        } else {
            cudaSetDevice(b->dev[i]);
            cudaFree(b->p[i]);
        }
        b->p[i] = b->gpu_view[i] = NULL;
    }
    cudaSetDevice(home);
}

static int bufs_alloc(struct bufs *b, size_t bytes, int home, struct gx_err *err)
{
    cudaError_t ce = cudaSuccess;
    for (int i = 0; i < b->n && ce == cudaSuccess; i++) {
        void *q = NULL; /* kept only once allocated, so that bufs_free frees only what was */
        if (b->dev[i] < 0) {
            ce = cudaHostAlloc(&q, bytes, b->dev[i] == HOST_MAPPED
                                              ? cudaHostAllocPortable | cudaHostAllocMapped
                                              : cudaHostAllocPortable);
            b->p[i] = ce == cudaSuccess ? q : NULL;
            b->gpu_view[i] = b->p[i];
            if (ce == cudaSuccess && b->dev[i] == HOST_MAPPED)
                ce = cudaHostGetDevicePointer(&b->gpu_view[i], q, 0);
        } else {
            /* The peer's buffer is allocated on the peer's GPU from this process. */
            ce = cudaSetDevice(b->dev[i]);
            if (ce == cudaSuccess)
                ce = cudaMalloc(&q, bytes);
            b->p[i] = b->gpu_view[i] = ce == cudaSuccess ? q : NULL;
            cudaError_t back = cudaSetDevice(home);
            ce = ce == cudaSuccess ? back : ce;
        }
    }
    if (ce == cudaSuccess)
        return GX_OK;
    gx_fail_cuda(err, ce, "allocating calibration buffers", __FILE__, __LINE__);
    cudaGetLastError();
    bufs_free(b, home);
    return GX_ERUNTIME;
}

/* Allocates for the largest size of both curves that fits; marks the others absent. Returns
 * how many of the sizes fit (0: none, every point absent). */
static size_t largest(const struct gx_ceil_curve *a, const struct gx_ceil_curve *b)
{
    size_t m = 0;
    if (a && a->n)
        m = a->pts[a->n - 1].size;
    if (b && b->n && b->pts[b->n - 1].size > m)
        m = b->pts[b->n - 1].size;
    return m;
}

static size_t fit(struct bufs *bf, struct gx_ceil_curve *a, struct gx_ceil_curve *b, int home,
                  size_t host_limit)
{
    /* The sizes of both curves, largest first, until one allocation succeeds. */
    size_t want = largest(a, b);
    char why[GX_CEIL_TEXT] = "";
    int has_host = 0;
    for (int i = 0; i < bf->n; i++)
        has_host |= bf->dev[i] < 0;
    while (want > 0) {
        struct gx_err err = {0};
        if (has_host && want > host_limit)
            snprintf(err.msg, sizeof err.msg, "%zu bytes of pinned host memory is more than a "
                     "quarter of this node's memory per rank", want);
        else if (bufs_alloc(bf, want, home, &err) == GX_OK)
            break;
        if (!why[0])
            snprintf(why, sizeof why, "%.199s", err.msg);
        /* The next smaller size of either curve. */
        size_t next = 0;
        for (int c = 0; c < 2; c++) {
            const struct gx_ceil_curve *k = c ? b : a;
            for (int i = 0; k && i < k->n; i++)
                if (k->pts[i].size < want && k->pts[i].size > next)
                    next = k->pts[i].size;
        }
        want = next;
    }
    for (int c = 0; c < 2; c++) {
        struct gx_ceil_curve *k = c ? b : a;
        for (int i = 0; k && i < k->n; i++)
            if (k->pts[i].size > want) {
                gx_cal_absent_from(k, i, why);
                break;
            }
    }
    return want;
}

static int fits(const struct gx_ceil_curve *c, size_t bytes)
{
    int n = 0;
    while (n < c->n && c->pts[n].size <= bytes)
        n++;
    return n;
}

static void all_absent(struct gx_ceil_curve *c, const char *why)
{
    if (c && c->n && !c->absent[0])
        snprintf(c->absent, sizeof c->absent, "%.199s", why);
}

/* Between this rank's GPU and host memory of kind `host` (HOST_PINNED, HOST_MAPPED), moved by
 * `mover` (by_sm: gx_kernel_copy, else the copy engines): host -> GPU into *to_gpu, GPU -> host
 * into *to_host, and both at once on two streams into *both (each direction with buffers of
 * its own, as a rank sending and receiving at once has: the total is what one GPU's link and
 * movers carry both ways). */
static void host_and_gpu(const struct gx_job *job, struct gx_ceil_curve *to_gpu,
                         struct gx_ceil_curve *to_host, struct gx_ceil_curve *both, int host,
                         int by_sm)
{
    const char *no_gpu = gx_gpu_absent_why();
    if (job->gpu < 0 || no_gpu[0]) {
        all_absent(to_gpu, no_gpu[0] ? no_gpu : "no GPU");
        all_absent(to_host, no_gpu[0] ? no_gpu : "no GPU");
        all_absent(both, no_gpu[0] ? no_gpu : "no GPU");
        return;
    }
    const char *mover = by_sm ? "gx_kernel_copy" : "cudaMemcpyAsync",
               *mem = host == HOST_MAPPED ? "mapped pinned host" : "pinned host";
    snprintf(to_gpu->what, sizeof to_gpu->what, "%s %s -> GPU %d", mover, mem, job->gpu);
    snprintf(to_host->what, sizeof to_host->what, "%s GPU %d -> %s", mover, job->gpu, mem);
    snprintf(both->what, sizeof both->what, "%s %s -> GPU %d and GPU %d -> %s at once, total",
             mover, mem, job->gpu, job->gpu, mem);
    struct rig r;
    struct gx_err err = {0};
    if (rig_init(&r, job->gpu, job->gpu, &err) != GX_OK) {
        cudaGetLastError();
        all_absent(to_gpu, err.msg);
        all_absent(to_host, err.msg);
        all_absent(both, err.msg);
        rig_free(&r);
        return;
    }
    struct bufs bf = {.n = 2, .dev = {job->gpu, host}};
    size_t bytes = fit(&bf, to_gpu, to_host, job->gpu, gx_cal_host_limit(job));
    if (bytes > 0) {
        struct copy_job up = {1, {bf.gpu_view[0]}, {bf.gpu_view[1]}, {-1}, {-1}, by_sm, 0};
        struct copy_job down = {1, {bf.gpu_view[1]}, {bf.gpu_view[0]}, {-1}, {-1}, by_sm, 0};
        measure_curve(&r, &up, to_gpu, fits(to_gpu, bytes));
        measure_curve(&r, &down, to_host, fits(to_host, bytes));
        bufs_free(&bf, job->gpu);
    }
    /* [1] -> [0] up on stream 0, [2] -> [3] down on stream 1; both streams on this GPU. */
    struct bufs b2 = {.n = 4, .dev = {job->gpu, host, job->gpu, host}};
    bytes = both->n ? fit(&b2, both, NULL, job->gpu, gx_cal_host_limit(job) / 2) : 0;
    if (bytes > 0) {
        struct copy_job two = {2, {b2.gpu_view[0], b2.gpu_view[3]},
                               {b2.gpu_view[1], b2.gpu_view[2]}, {-1, -1}, {-1, -1}, by_sm, 0};
        measure_curve(&r, &two, both, fits(both, bytes));
        bufs_free(&b2, job->gpu);
    }
    rig_free(&r);
}

void gx_cal_copies(const struct gx_job *job, struct gx_ceil_curve c[3])
{
    host_and_gpu(job, &c[0], &c[1], &c[2], HOST_PINNED, 0);
}

void gx_cal_mapped(const struct gx_job *job, struct gx_ceil_curve c[3])
{
    host_and_gpu(job, &c[1], &c[0], &c[2], HOST_MAPPED, 1);
}

/* Peer access from device `from` to `to` (this process), remembering whether this call turned
 * it on; GX_ESKIP with the reason in why when there is none. */
static int enable_peer(int from, int to, int home, int *enabled, char *why, size_t len)
{
    int can = 0;
    cudaError_t ce = cudaDeviceCanAccessPeer(&can, from, to);
    if (ce == cudaSuccess && !can) {
        snprintf(why, len, "no peer access from GPU %d to GPU %d", from, to);
        return GX_ESKIP;
    }
    if (ce == cudaSuccess)
        ce = cudaSetDevice(from);
    if (ce == cudaSuccess) {
        ce = cudaDeviceEnablePeerAccess(to, 0);
        *enabled = ce == cudaSuccess;
        if (ce == cudaErrorPeerAccessAlreadyEnabled)
            ce = cudaSuccess;
    }
    cudaGetLastError();
    cudaSetDevice(home);
    if (ce == cudaSuccess)
        return GX_OK;
    struct gx_err err = {0};
    gx_fail_cuda(&err, ce, "enabling peer access", __FILE__, __LINE__);
    snprintf(why, len, "%.199s", err.msg);
    return GX_ESKIP;
}

static void disable_peer(int here, int peer, const int enabled[2], int home)
{
    if (enabled[0]) {
        cudaSetDevice(here);
        cudaDeviceDisablePeerAccess(peer);
    }
    if (enabled[1]) {
        cudaSetDevice(peer);
        cudaDeviceDisablePeerAccess(here);
    }
    cudaGetLastError();
    cudaSetDevice(home);
}

/* The nominal rate of the fastest path a peer copy bounds (its rules name GX_CEIL_PEER or
 * GX_CEIL_PEER_BIDIR): the peer curves take that path's window, the largest of them, so that
 * no result they bound timed more copies together than they did. */
static double peer_window_gbps(void)
{
    double most = 0;
    for (int i = 0; i < gx_path_count; i++) {
        const struct gx_path_ops *ops = gx_paths[i].ops;
        for (int f = 0; ops && f < GX_FAMILY_COUNT; f++)
            for (int r = 0; r < ops->bounds[f].n; r++) {
                const struct gx_bound_rule *rule = &ops->bounds[f].rules[r];
                for (int k = 0; k < rule->nstages; k++)
                    if ((rule->stages[k].kind == GX_CEIL_PEER ||
                         rule->stages[k].kind == GX_CEIL_PEER_BIDIR) &&
                        ops->nominal_gbps > most)
                        most = ops->nominal_gbps;
            }
    }
    return most;
}

void gx_cal_peer(const struct gx_job *job, int peer, const char *peer_busid,
                 struct gx_ceil_curve *uni, struct gx_ceil_curve *bi)
{
    const char *no_gpu = gx_gpu_absent_why();
    char why[GX_CEIL_TEXT];
    int dev = -1;
    if (job->gpu < 0 || no_gpu[0]) {
        snprintf(why, sizeof why, "%s", no_gpu[0] ? no_gpu : "no GPU");
    } else if (!peer_busid[0]) {
        snprintf(why, sizeof why, "rank %d has no GPU", peer);
    } else if (cudaDeviceGetByPCIBusId(&dev, peer_busid) != cudaSuccess) {
        cudaGetLastError();
        snprintf(why, sizeof why, "rank %d's GPU %s is not visible to rank %d "
                 "(CUDA_VISIBLE_DEVICES)", peer, peer_busid, job->rank);
    } else {
        why[0] = '\0';
    }
    if (why[0]) {
        all_absent(uni, why);
        all_absent(bi, why);
        return;
    }
    int enabled[2] = {0, 0}; /* peer access this call enabled: here -> peer, peer -> here */
    if (dev == job->gpu) {
        snprintf(uni->what, sizeof uni->what, "cudaMemcpyPeerAsync within GPU %d (ranks %d and %d "
                 "share it)", dev, job->rank, peer);
    } else {
        if (enable_peer(job->gpu, dev, job->gpu, &enabled[0], why, sizeof why) == GX_OK &&
            bi->n)
            enable_peer(dev, job->gpu, job->gpu, &enabled[1], why, sizeof why);
        if (why[0]) {
            disable_peer(job->gpu, dev, enabled, job->gpu);
            all_absent(uni, why);
            all_absent(bi, why);
            return;
        }
        snprintf(uni->what, sizeof uni->what, "cudaMemcpyPeerAsync GPU %d -> GPU %d", job->gpu,
                 dev);
    }
    snprintf(bi->what, sizeof bi->what, "%.120s, and back pushed by GPU %d, at once",
             uni->what, dev);
    struct rig r;
    struct gx_err err = {0};
    /* src and dst here, dst and src on the peer: [0] -> [1] one way, [2] -> [3] back. */
    struct bufs bf = {.n = bi->n ? 4 : 2, .dev = {job->gpu, dev, dev, job->gpu}};
    if (rig_init(&r, job->gpu, dev, &err) != GX_OK) {
        cudaGetLastError();
        all_absent(uni, err.msg);
        all_absent(bi, err.msg);
    } else {
        size_t bytes = fit(&bf, uni, bi, job->gpu, (size_t)-1);
        if (bytes > 0) {
            /* As the paths it bounds move data: their window of copies at each size, timed
             * together (with about 256 MiB a repeat, its start and end weighed up to 1.7%
             * against a p2p iteration of many GiB, and healthy p2p results read 100.2-101.7%
             * on 2 x H200, issue 24). */
            double gbps = peer_window_gbps();
            struct copy_job one = {1, {bf.p[1]}, {bf.p[0]}, {dev}, {job->gpu}, 0, gbps};
            measure_curve(&r, &one, uni, fits(uni, bytes));
            if (bi->n) {
                /* Stream 1 is on the peer's GPU: each GPU pushes its own direction. */
                struct copy_job two = {2, {bf.p[1], bf.p[3]}, {bf.p[0], bf.p[2]},
                                       {dev, job->gpu}, {job->gpu, dev}, 0, gbps};
                measure_curve(&r, &two, bi, fits(bi, bytes));
            }
            bufs_free(&bf, job->gpu);
        }
    }
    rig_free(&r);
    /* Later paths find peer access as they would have without calibration. */
    disable_peer(job->gpu, dev, enabled, job->gpu);
    cudaGetLastError();
}
