/* Transfer paths: one ops table; each path lives in its own path_*.c file. */
#ifndef GX_PATH_H
#define GX_PATH_H

#include "ceiling.h"
#include "chunk.h"
#include "gx.h"
#include "job.h"
#include "result.h"

enum gx_dir { GX_DIR_SEND = 1, GX_DIR_RECV = 2, GX_DIR_BOTH = 3 };

/* One side of a pair, for one path. The harness owns the buffers (allocated with the memory
 * kinds' ops); the path owns whatever it adds in priv. */
struct gx_ep {
    const struct gx_job *job;
    const struct gx_path_ops *ops;
    int peer;
    int initiator;        /* the lower rank of the pair: starts ping-pongs, reports timings */
    int same_node;
    int src_kind, dst_kind;
    void *src, *dst;      /* message source and destination on this rank */
    size_t cap;           /* bytes in src and in dst */
    /* GX_PATH_MESSAGE_REGIONS: message m of a window lies at m x region in src and in dst
     * (gx_ep_src, gx_ep_dst), regions of them in all; 0 and 1 elsewhere: one buffer. */
    size_t region;
    int regions;
    size_t chunk;         /* for GX_PATH_CHUNKED paths: bytes per chunk */
    int depth;            /* chunks in flight per side */
    void *priv;
    /* The iteration whose pattern src holds (gx_fill_word(own rank, src_iter, word)), set by
     * the harness whenever it fills src. Both sides of a pair fill alike, so the peer's src
     * holds the same iteration's pattern under the peer's rank. */
    uint32_t src_iter;
    /* Seconds this rank spent in each of the path's stages (gx_path_ops.stages) during the
     * timed iterations: where a slow path's time goes. The path adds to it (gx_stage_add); the
     * harness resets and reports it. */
    double stage_s[GX_MAX_STAGES];
    int gpu_timed; /* the last iteration was timed by the GPUs (gx_path_ops.roundtrip) */
    /* Optional, set by the path for this pair: how the data goes where a path has several
     * ways (e.g. "shared-memory slots" or "MPI"), reported with each result. */
    const char *via;
};

/* Message m of a window in a buffer laid out as src and dst are (the peer's dst, mapped, too). */
static inline void *gx_ep_msg(const struct gx_ep *ep, void *buf, int m)
{
    return (char *)buf + (size_t)m * ep->region;
}

/* Message m of a window in src and in dst. */
static inline void *gx_ep_src(const struct gx_ep *ep, int m)
{
    return gx_ep_msg(ep, ep->src, m);
}

static inline void *gx_ep_dst(const struct gx_ep *ep, int m)
{
    return gx_ep_msg(ep, ep->dst, m);
}

/* Adds the time since t0 (MPI_Wtime) to stage i. */
static inline void gx_stage_add(struct gx_ep *ep, int i, double t0)
{
    ep->stage_s[i] += MPI_Wtime() - t0;
}

#define GX_PATH_CHUNKED   0x1u /* --chunk/--depth are axes of its results */
#define GX_PATH_NEEDS_GPU 0x2u
/* 0x4u is GX_PATH_PROBE (probe.h) */
#define GX_PATH_MPI_BUFFERS 0x8u /* hands its buffers to MPI as they are (device ones too) */
/* Bytes in flight are no goal of its window, only spreading the iteration's fixed costs (its
 * messages go one after another, or are far slower than the copies the byte rule was set by):
 * the window is sized by time alone (gx_default_window_by_time). */
#define GX_PATH_WINDOW_BY_TIME 0x10u
/* Each message of a window has a region of its own in src and dst. Memory that migrates would
 * otherwise find its pages where the window's previous message left them (the sender's on the host
 * after the first), so all are put back in place between iterations; and on one GPU, copies in
 * flight from one source find each other's lines in L2 and beat the peer probe, which reads a fresh
 * source (docs/paths.md, p2p). Regions start GX_MANAGED_BLOCK apart in memory that migrates (the
 * driver moves managed memory in blocks of that size, its VA blocks), a page apart elsewhere. */
#define GX_PATH_MESSAGE_REGIONS 0x20u
#define GX_MANAGED_BLOCK ((size_t)2 << 20)
/* Its data crosses host memory on the way even between device buffers (staged copies, mapped
 * host memory): its route is each GPU's PCIe link, never the peers' NVLink (links.h). */
#define GX_PATH_VIA_HOST 0x40u
#define GX_REGION_ALIGN ((size_t)4096)

struct gx_path_ops {
    const char *name;
    /* Optional: names of the stages it times on every rank (NULL-terminated), reported per
     * result as time per iteration; only for paths whose steps are slow enough that two clock
     * reads cost nothing measurable. Synchronous stages: the time waited for each; stages that
     * overlap (a pipeline): the wall time each was active, so they may add up to more than
     * the iteration. */
    const char *stages[GX_MAX_STAGES + 1];
    const char *what;     /* one line for --help and the report */
    int default_src, default_dst;
    unsigned flags;
    /* GX_PATH_CHUNKED: the chunks and depths tried at each size when the run fixes neither. */
    const struct gx_chunk_policy *chunk_policy;
    /* A typical rate on a fast node and per-message latency (0: 10 GB/s, 10 us): --dry-run's
     * estimate, and the default window (gx_default_window_at: an iteration long enough that its
     * fixed costs stay near 1%; too high a rate only makes iterations longer). */
    double nominal_gbps, nominal_us;
    /* Seconds of its own work the path needs after an idle gap before it runs at its pace (0:
     * none measured): the default warm-up lasts at least that long at the nominal pace, so that
     * a library's cold start between steps lands in the warm-up, not in the first samples. */
    double settle_s;
    /* Optional, collective over the whole job, once before any measurement (e.g. a NCCL
     * communicator); GX_ESKIP skips the path everywhere with the reason. */
    int (*setup)(const struct gx_job *job, struct gx_err *err);
    void (*teardown)(void);
    /* Optional: GX_OK, or GX_ESKIP with the reason this pair cannot use the path (never a
     * crash). Both sides of the pair call it at the same time, so it may talk to the peer. The
     * harness has already checked GX_PATH_NEEDS_GPU and the memory kinds. */
    int (*filter)(struct gx_ep *ep, struct gx_err *why);
    /* Called on both sides of the pair after the buffers were (re)allocated. */
    int (*open)(struct gx_ep *ep, struct gx_err *err);
    /* Optional: the message size, chunk or depth changed (untimed; e.g. staging buffers). */
    int (*prepare)(struct gx_ep *ep, size_t bytes, struct gx_err *err);
    /* Optional: between timed iterations, untimed (e.g. put unified memory back on the GPU, as
     * if the application had just produced it there). */
    int (*between)(struct gx_ep *ep, struct gx_err *err);
    /* Moves `count` messages of `bytes` from src to the peer's dst (SEND), into dst (RECV), or
     * both at once (BOTH). Returns when every message is complete: on the receiving side, the
     * data is in dst and synchronized with the host. */
    int (*xfer)(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes, struct gx_err *err);
    /* Optional: one latency round trip of `bytes` that the GPUs start, signal and time
     * themselves (no host on the path); *seconds is the round trip the initiator's GPU timed.
     * GX_ESKIP, with nothing done, where it does not apply (this size, this pair; both sides
     * decide alike): the latency pattern then times a SEND and a RECV of xfer instead. */
    int (*roundtrip)(struct gx_ep *ep, size_t bytes, double *seconds, struct gx_err *err);
    /* Optional: the measurement is over (its last iteration done, or it failed anywhere after
     * the buffers were ready): stop whatever prepare or the iterations left running (e.g. a
     * persistent kernel), so that nothing touches the buffers until the next measurement's
     * prepare. Local: it must not wait for the peer, which may be elsewhere after a failure. */
    int (*finish)(struct gx_ep *ep, struct gx_err *err);
    void (*close)(struct gx_ep *ep);
    /* What bounds its results, per pattern family (ceiling.h): the ceiling probes measure what
     * these rules name, and each result is rated against the rule that holds for it. A family
     * without rules has no ceiling. */
    struct gx_bounds bounds[GX_FAMILY_COUNT];
};

/* Every path gpuxfer knows, built in or not, so that an absent one is listed with why. */
struct gx_path_entry {
    const char *name;
    const struct gx_path_ops *ops; /* NULL when left out of this build */
    const char *absent_why;
};
extern const struct gx_path_entry gx_paths[];
extern const int gx_path_count;

/* Index by name, or -1. */
int gx_path_lookup(const char *name);

/* The GX_IF_* conditions (ceiling.h) that hold for a pair's buffers of these memory kinds, its
 * nodes and its GPUs: which of a path's bound rules rates its results. */
unsigned gx_bound_conditions(int src_kind, int dst_kind, int same_node, int same_gpu);

#endif
