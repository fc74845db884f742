/* Transfer paths: one ops table; each path lives in its own path_*.c file. */
#ifndef GX_PATH_H
#define GX_PATH_H

#include "ceiling.h"
#include "chunk.h"
#include "coll.h"
#include "gx.h"
#include "job.h"
#include "result.h"

enum gx_dir { GX_DIR_SEND = 1, GX_DIR_RECV = 2, GX_DIR_BOTH = 3 };

/* One side of a pair, for one path: the harness owns the buffers, the path its priv. */
struct gx_ep {
    const struct gx_job *job;
    const struct gx_path_ops *ops;
    int peer;
    int initiator;        /* the lower rank of the pair: starts ping-pongs, reports timings */
    int same_node;
    int src_kind, dst_kind;
    void *src, *dst;
    size_t cap;           /* bytes in src and in dst */
    size_t region;        /* GX_PATH_MESSAGE_REGIONS: message m at m x region; else 0 */
    int regions;
    size_t chunk;         /* GX_PATH_CHUNKED */
    int depth;            /* chunks in flight per side */
    void *priv;
    uint32_t src_iter;    /* the iteration whose pattern src holds; the peer's src alike */
    double stage_s[GX_MAX_STAGES]; /* seconds in each of the path's stages, timed iterations */
    int gpu_timed;        /* the last iteration was timed by the GPUs (roundtrip) */
    const char *via;      /* optional: which of a path's ways the data went, reported */
    /* A group's member (--pairs job, node): comm is its ranks' communicator (only then). The
     * leader, the lowest rank, is the initiator; peer is the next member. */
    int group;
    MPI_Comm comm;
    int nranks, grank;    /* 2 and 0 or 1 for a pair */
    int leader;           /* the group's lowest rank in the job */
    int nccl_comm;        /* enum gx_nccl_comm: the communicator nccl measures a pair on */
};

/* Message m in a buffer laid out as src and dst are (the peer's mapped dst too). */
static inline void *gx_ep_msg(const struct gx_ep *ep, void *buf, int m)
{
    return (char *)buf + (size_t)m * ep->region;
}

static inline void *gx_ep_src(const struct gx_ep *ep, int m)
{
    return gx_ep_msg(ep, ep->src, m);
}

static inline void *gx_ep_dst(const struct gx_ep *ep, int m)
{
    return gx_ep_msg(ep, ep->dst, m);
}

static inline void gx_stage_add(struct gx_ep *ep, int i, double t0)
{
    ep->stage_s[i] += MPI_Wtime() - t0;
}

#define GX_PATH_CHUNKED   0x1u /* --chunk/--depth are axes of its results */
#define GX_PATH_NEEDS_GPU 0x2u
/* 0x4u is GX_PATH_PROBE (probe.h) */
#define GX_PATH_MPI_BUFFERS 0x8u /* hands its buffers to MPI as they are (device ones too) */
/* Its window only spreads an iteration's fixed costs: sized by time, not bytes in flight. */
#define GX_PATH_WINDOW_BY_TIME 0x10u
/* Each message has its own region: migrating memory would find its pages where the previous
 * message left them, and copies from one source find each other's lines in L2 and beat the
 * probe (docs/paths.md, p2p). Managed memory migrates in blocks of GX_MANAGED_BLOCK. */
#define GX_PATH_MESSAGE_REGIONS 0x20u
#define GX_MANAGED_BLOCK ((size_t)2 << 20)
/* Its data crosses host memory even between device buffers: its route is PCIe, never NVLink. */
#define GX_PATH_VIA_HOST 0x40u
#define GX_REGION_ALIGN ((size_t)4096)

struct gx_path_ops {
    const char *name;
    /* Optional: stages timed only where two clock reads cost nothing; they may overlap. */
    const char *stages[GX_MAX_STAGES + 1];
    const char *what;     /* one line for --help and the report */
    int default_src, default_dst;
    unsigned flags;
    const struct gx_chunk_policy *chunk_policy; /* GX_PATH_CHUNKED, when the run fixes none */
    /* On a fast node (0: 10 GB/s, 10 us); too high only makes iterations longer. */
    double nominal_gbps, nominal_us;
    /* After an idle gap: the warm-up lasts that long, so that a cold start misses the samples. */
    double settle_s;
    /* Optional, collective, once; GX_ESKIP skips the path everywhere. */
    int (*setup)(const struct gx_job *job, struct gx_err *err);
    void (*teardown)(void);
    /* Optional: GX_ESKIP where this pair cannot use the path; both sides call it together. */
    int (*filter)(struct gx_ep *ep, struct gx_err *why);
    int (*open)(struct gx_ep *ep, struct gx_err *err);
    /* Optional, untimed: size, chunk or depth changed. */
    int (*prepare)(struct gx_ep *ep, size_t bytes, struct gx_err *err);
    /* Optional, untimed: e.g. put unified memory back on the GPU, as an application made it. */
    int (*between)(struct gx_ep *ep, struct gx_err *err);
    /* Returns when every message is complete: received data is in dst, synchronized. */
    int (*xfer)(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes, struct gx_err *err);
    /* Optional: timed by the GPUs; GX_ESKIP, nothing done, falls back to xfer. */
    int (*roundtrip)(struct gx_ep *ep, size_t bytes, double *seconds, struct gx_err *err);
    /* Optional: `count` collectives back to back over ep->comm's ranks, each of `bytes`
     * (gx_coll_bytes), returning when all are complete. Buffers as gx_coll_io lays out. */
    int (*collective)(struct gx_ep *ep, enum gx_coll c, int in_place, int count, size_t bytes,
                      struct gx_err *err);
    /* Optional: stop a persistent kernel. Local: after a failure the peer may be elsewhere. */
    int (*finish)(struct gx_ep *ep, struct gx_err *err);
    void (*close)(struct gx_ep *ep); /* only where open left a priv */
    /* Optional: bytes of pinned host memory of its own that each rank allocates and writes as
     * it opens for messages up to `largest` (a probe's staging), beside the group's buffers. */
    size_t (*own_pinned)(size_t largest);
    struct gx_bounds bounds[GX_FAMILY_COUNT]; /* per family; none: no ceiling (ceiling.h) */
};

/* Built in or not, so that an absent one is listed with why. */
struct gx_path_entry {
    const char *name;
    const struct gx_path_ops *ops; /* NULL when left out of this build */
    const char *absent_why;
};
extern const struct gx_path_entry gx_paths[];
extern const int gx_path_count;
#define GX_PATHS_MAX 16 /* gx_path_count's bound */

int gx_path_lookup(const char *name);

/* Every path of used[] (one flag per row of gx_paths) set up on every rank and agreed: one none
 * can set up is skipped, gx_path_setup_failed saying why; another error ends the run. */
int gx_paths_setup(const struct gx_job *job, const unsigned char *used, struct gx_err *err);
const char *gx_path_setup_failed(int path); /* "" where it was set up or never tried */
void gx_paths_teardown(void);                 /* copes with partial set-ups */

/* The GX_IF_* conditions (ceiling.h) that choose the bound rule rating a pair's results. */
unsigned gx_bound_conditions(int src_kind, int dst_kind, int same_node, int same_gpu);

#endif
