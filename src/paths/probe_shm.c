/* Probe "shm-copy": host memory between two ranks of one node, the layer below MPI there. The
 * receiver copies the sender's bytes out of its segment once the sender raised a flag: one
 * copy, as CMA, XPMEM or KNEM do; no MPI library can do less between two processes. */
#include "config.h"
#include "probe.h"

#include "shm_ring.h"
#include "shm_segment.h"

#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Each counter on a cache line of its own. */
#define HEADER 4096
struct shm_flags {
    volatile uint64_t go;
    char pad[56];
    volatile uint64_t done;
};

struct shm_probe {
    struct gx_shm_segment mine, theirs;
    long peer_pid;
    uint64_t go, done;           /* raised by this side so far */
    uint64_t seen_go, seen_done; /* the peer's, consumed */
    int streaming;               /* this size copies with streaming stores (shm_prepare) */
    unsigned long calls;         /* one-way iterations so far: which schedule is next */
};

/* Every other one-way iteration splits the copy between the CPUs: a library pipelining a copy
 * in and out beat the receiver's alone at large messages (docs/ceilings.md). */
#define SPLIT_FROM ((size_t)1 << 20)

static struct shm_flags *flags_of(const struct gx_shm_segment *s)
{
    return (struct shm_flags *)s->host;
}

static int shm_filter(struct gx_ep *ep, struct gx_err *why)
{
    if (!ep->same_node)
        return gx_fail(why, GX_ESKIP, "ranks %d and %d are on different nodes: no memory to "
                       "share", ep->job->rank, ep->peer);
    return GX_OK;
}

static void shm_close(struct gx_ep *ep)
{
    struct shm_probe *p = ep->priv;
    if (!p)
        return;
    gx_shm_segment_release(&p->theirs);
    gx_shm_segment_release(&p->mine);
    free(p);
    ep->priv = NULL;
}

static int shm_open(struct gx_ep *ep, struct gx_err *err)
{
    shm_close(ep);
    struct shm_probe *p = calloc(1, sizeof *p);
    if (!p)
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    ep->priv = p;
    GX_TRY(gx_shm_segment_exchange(ep, "probe", HEADER + ep->cap, 0, &p->mine, &p->theirs,
                                   &p->peer_pid, err));
    /* Every page written once: the copies read memory, not page faults. */
    memset((char *)p->mine.host + HEADER, 0x5a, ep->cap);
    return GX_OK;
}

/* Polls as an MPI library does: yielding only on an oversubscribed node, as beside a CPU hog a
 * probe that yields loses whole time slices and falls below the MPI results it bounds. */
static int wait_for(struct shm_probe *p, const volatile uint64_t *counter, uint64_t want,
                    int peer, int yield, struct gx_err *err)
{
    struct gx_shm_poll w = {.nrings = 0, .peer_pid = p->peer_pid, .peer_rank = peer};
    while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < want) {
        GX_TRY(gx_shm_poll_step(&w, 0, err));
        if (yield)
            sched_yield();
    }
    return GX_OK;
}

/* Streaming stores reach the memory's bandwidth past the caches where memcpy may not. */
static void stream_copy(void *dst, const void *src, size_t bytes)
{
#ifdef __SSE2__
    size_t lines = ((uintptr_t)dst | (uintptr_t)src) % 16 ? 0 : bytes / 64;
    __m128i *d = dst;
    const __m128i *s = src;
    for (size_t i = 0; i < lines; i++, d += 4, s += 4) {
        __m128i a = _mm_load_si128(s), b = _mm_load_si128(s + 1);
        __m128i c = _mm_load_si128(s + 2), e = _mm_load_si128(s + 3);
        _mm_stream_si128(d, a);
        _mm_stream_si128(d + 1, b);
        _mm_stream_si128(d + 2, c);
        _mm_stream_si128(d + 3, e);
    }
    _mm_sfence();
    memcpy((char *)dst + lines * 64, (const char *)src + lines * 64, bytes - lines * 64);
#else
    memcpy(dst, src, bytes);
#endif
}

static void copy_once(struct gx_ep *ep, const struct shm_probe *p, size_t bytes)
{
    const char *from = (const char *)p->theirs.host + HEADER;
    if (p->streaming)
        stream_copy(ep->dst, from, bytes);
    else
        memcpy(ep->dst, from, bytes);
}

/* The faster copy at this size, by untimed trials: past the caches a streaming copy beats
 * memcpy by far, as MPI's own does, within them memcpy is ahead (docs/ceilings.md). Local. */
#define TRIAL_BYTES (32u << 20)
#define TRIAL_REPS 1024 /* a copy of a few bytes: 1024 of them are microseconds, above the clock */
static int shm_prepare(struct gx_ep *ep, size_t bytes, struct gx_err *err)
{
    (void)err;
    struct shm_probe *p = ep->priv;
    double best[2] = {0, 0};
#ifdef __SSE2__
    size_t reps = bytes && bytes < TRIAL_BYTES ? TRIAL_BYTES / bytes : 1;
    reps = reps < TRIAL_REPS ? reps : TRIAL_REPS;
    for (int t = 0; t < 6; t++) {
        p->streaming = t % 2;
        double t0 = MPI_Wtime();
        for (size_t r = 0; r < reps; r++)
            copy_once(ep, p, bytes);
        double s = MPI_Wtime() - t0;
        if (t < 2 || s < best[t % 2])
            best[t % 2] = s;
    }
#endif
    p->streaming = best[1] < best[0];
    return GX_OK;
}

static void copy_out(struct gx_ep *ep, const struct shm_probe *p, int count, size_t bytes)
{
    for (int m = 0; m < count; m++)
        copy_once(ep, p, bytes);
    /* Nothing reads dst: the compiler must not drop the copies. */
    __asm__ __volatile__("" : : "r"(ep->dst) : "memory");
}

/* The second half of each message, where the receiver's copy would have put it. */
static void copy_in(struct gx_ep *ep, const struct shm_probe *p, int count, size_t from,
                    size_t bytes)
{
    char *to = (char *)p->theirs.host + HEADER + from;
    const char *src = (const char *)ep->src + from;
    for (int m = 0; m < count; m++) {
        if (p->streaming)
            stream_copy(to, src, bytes - from);
        else
            memcpy(to, src, bytes - from);
    }
    __asm__ __volatile__("" : : "r"(to) : "memory");
}

static int shm_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                    struct gx_err *err)
{
    struct shm_probe *p = ep->priv;
    struct shm_flags *mine = flags_of(&p->mine), *theirs = flags_of(&p->theirs);
    /* Both sides count alike: the same schedule. */
    size_t half = dir != GX_DIR_BOTH && bytes >= SPLIT_FROM && (p->calls++ & 1) ? bytes / 2 : 0;
    if (dir & GX_DIR_SEND)
        __atomic_store_n(&mine->go, ++p->go, __ATOMIC_RELEASE);
    if (dir == GX_DIR_SEND && half)
        copy_in(ep, p, count, half, bytes);
    if (dir & GX_DIR_RECV) {
        GX_TRY(wait_for(p, &theirs->go, ++p->seen_go, ep->peer, ep->job->oversubscribed, err));
        copy_out(ep, p, count, half ? half : bytes);
    }
    if (dir == GX_DIR_BOTH) {
        __atomic_store_n(&mine->done, ++p->done, __ATOMIC_RELEASE);
        GX_TRY(wait_for(p, &theirs->done, ++p->seen_done, ep->peer, ep->job->oversubscribed,
                        err));
    }
    return GX_OK;
}

const struct gx_path_ops gx_probe_shm_copy = {
    .name = "shm-copy",
    .what = "host memory through shared memory: the receiver copies the sender's message out "
            "of a segment both map, after a flag (one copy, as a single-copy MPI)",
    .default_src = GX_MEM_PAGEABLE,
    .default_dst = GX_MEM_PAGEABLE,
    .flags = GX_PATH_PROBE,
    /* docs/ceilings.md */
    .nominal_gbps = 25,
    .nominal_us = 0.5,
    .filter = shm_filter,
    .open = shm_open,
    .prepare = shm_prepare,
    .xfer = shm_xfer,
    .close = shm_close,
};
