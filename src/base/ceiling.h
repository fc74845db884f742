/* Ceilings: the machine's own limits, measured by the ceiling probes in the same job. */
#ifndef GX_CEILING_H
#define GX_CEILING_H

#include "gx.h"
#include "noise.h"
#include "slots.h"

/* One probe in one pattern family, per ordered rank pair: GB/s (both ways: total), latency us. */
enum gx_ceil_kind {
    GX_CEIL_SHM_COPY,       /* host memory: the receiver copies the sender's message out of
                               memory both processes map (one copy, as a single-copy MPI) */
    GX_CEIL_SHM_COPY_BIDIR, /* both at once, total */
    GX_CEIL_SHM_LAT,        /* a flag's round trip through shared memory and a copy each way */
    GX_CEIL_PEER,           /* cudaMemcpyAsync into the peer's buffer through CUDA IPC,
                               without a path's handshakes */
    GX_CEIL_PEER_BIDIR,     /* each side its own direction at once, total */
    GX_CEIL_COPY,           /* copy engines: sender D2H to pinned host while receiver H2D */
    GX_CEIL_COPY_BIDIR,     /* each side both at once on two streams, total */
    GX_CEIL_MAPPED,         /* SMs: sender's kernel writes mapped pinned host while the
                               receiver's reads it (gx_kernel_copy, zerocopy's mover) */
    GX_CEIL_MAPPED_BIDIR,
    GX_CEIL_PREFETCH,       /* managed memory: sender prefetches GPU pages to the host while
                               the receiver prefetches host pages to its GPU */
    GX_CEIL_PREFETCH_BIDIR,
    GX_CEIL_FAULTS,         /* managed memory by demand: the sender's CPU reads pages that are
                               on its GPU; the receiver's CPU writes pages on its GPU, then a
                               kernel faults them back */
    GX_CEIL_FAULTS_BIDIR,
    GX_CEIL_SENDER_D2H, /* the sender's GPU alone, its copy engine into pinned host memory,
                           measured for the pair (the receiver waits): what no byte of a
                           pipeline whose stages run on two GPUs passes faster */
    /* Per GPU (a its rank, b -1): one GPU's host link alone, as nvbandwidth copies it */
    GX_CEIL_H2D,
    GX_CEIL_D2H,
    GX_CEIL_KINDS,
    GX_CEIL_NONE = -1
};

/* GX_FAMILY_COLLECTIVE comes after the count: no layer below bounds a collective as a whole. */
enum gx_ceil_family { GX_FAMILY_ONE_WAY, GX_FAMILY_BOTH_WAYS, GX_FAMILY_LATENCY,
                      GX_FAMILY_COLLECTIVE };

#define GX_CEIL_TEXT 200 /* the longest text a ceiling keeps, '\0' included */

/* One size of a curve: the probe's best iteration (a limit is the layer's best) and the spread. */
struct gx_ceil_point {
    uint64_t size;
    double best, median, min, max;
    int32_t iters;              /* 0: not measured; absent says why */
    gx_sid absent;              /* why not measured; GX_SID_NONE when measured */
    double elapsed_s;           /* the probe's step on its initiator, untimed parts included */
    struct gx_noise noise;      /* its step's, judged as a result's */
};

struct gx_ceil_curve {
    int32_t kind;               /* enum gx_ceil_kind */
    int32_t a, b;               /* ranks; for per-GPU kinds, a is the rank whose GPU it is */
    int32_t n;
    gx_sid what;                /* how it was measured (the probe's what) */
    gx_sid absent;              /* not measured at any size: why (GX_SID_NONE when measured) */
    struct gx_ceil_point *pts;  /* n, by increasing size */
};

struct gx_ceilings {
    int n;
    size_t cap;
    struct gx_ceil_curve *curves;
    struct gx_slots index;      /* curves by (kind, a, b): a job may hold thousands */
    struct gx_strpool texts;    /* the curves' and points' texts, each distinct one once */
    double seconds;             /* how long the probes took */
};

const char *gx_ceil_curve_what(const struct gx_ceilings *c, const struct gx_ceil_curve *k);
const char *gx_ceil_curve_absent(const struct gx_ceilings *c, const struct gx_ceil_curve *k);
const char *gx_ceil_point_absent(const struct gx_ceilings *c, const struct gx_ceil_point *p);

const char *gx_ceil_kind_name(enum gx_ceil_kind k);
const char *gx_ceil_kind_unit(enum gx_ceil_kind k);
int gx_ceil_kind_latency(enum gx_ceil_kind k);

void gx_ceilings_free(struct gx_ceilings *c);
/* dst (empty) becomes a copy of src; on failure dst holds what was copied, to be freed. */
int gx_ceilings_copy(struct gx_ceilings *dst, const struct gx_ceilings *src, struct gx_err *err);
/* One point of the curve (kind, a, b), made when missing; at a size already there, the better. */
int gx_ceilings_put(struct gx_ceilings *c, enum gx_ceil_kind kind, int a, int b,
                    const char *what, const struct gx_ceil_point *pt, const char *absent,
                    struct gx_err *err);

const struct gx_ceil_curve *gx_ceil_find(const struct gx_ceilings *c, enum gx_ceil_kind kind,
                                         int a, int b);
/* The best at exactly `size` (the probes measure every size needed), or 0 with why. */
double gx_ceil_value(const struct gx_ceilings *c, enum gx_ceil_kind kind, int a, int b,
                     size_t size, char *why, size_t len);

/* The spread of a ceiling's iterations at one size, and which point it is. */
struct gx_ceil_range {
    double lo, hi;
    int iters;
    int kind, a, b; /* the point's curve (gx_ceil_find's) */
    size_t size;    /* and size */
};

struct gx_ceil_stage {
    const char *name;           /* e.g. "D2H on rank 0" */
    enum gx_ceil_kind kind;
    int a, b;
};

/* The slowest of the stages at `size`, named in what; 0 when any stage is unknown, with why. */
double gx_ceil_slowest(const struct gx_ceilings *c, const struct gx_ceil_stage *stages, int n,
                       size_t size, char *what, size_t len, struct gx_ceil_range *range);

/* A point slower than a larger size of its curve by GX_CEIL_SLACK, or disturbed more than the
 * result, bounds nothing; a result GX_CEIL_BEYOND times the probe's best means the probe missed. */
#define GX_CEIL_SLACK 1.25
#define GX_CEIL_BEYOND 2.0
int gx_ceil_unsound(const struct gx_ceilings *c, const struct gx_ceil_range *at,
                    const struct gx_noise *result, char *why, size_t len);

/* ---- what bounds a path's results, declared as data (gx_path_ops.bounds) */

#define GX_FAMILY_COUNT 3
/* Conditions of a rule: every bit given must hold. */
#define GX_IF_GPU_MEM    0x1u /* a buffer of the pair is GPU memory */
#define GX_IF_SAME_NODE  0x2u
#define GX_IF_OTHER_NODE 0x4u
#define GX_IF_PAGEABLE   0x8u /* a buffer of the pair is pageable host memory (malloc) */
#define GX_IF_SAME_GPU   0x10u /* both ranks of the pair on one GPU (a plan, not knowing yet,
                                  takes it for every pair of one node) */
#define GX_MAX_BOUND_STAGES 3
/* Results between nodes: the network bounds them, and no probe measures it. */
#define GX_NONE_ACROSS_NODES "across nodes: the network bounds it, and no probe measures it"

/* A layer the path's data crosses, measured by its probe at the result's pair. */
struct gx_stage_decl {
    const char *name;
    enum gx_ceil_kind kind;
};

/* One way a result can be bounded: by the slowest of its stages, where `when` holds. */
struct gx_bound_rule {
    unsigned when;          /* GX_IF_* (0: always) */
    int at_chunk;           /* rated at the chunk the path cut the message into */
    const char *none;       /* no stages: why no ceiling applies */
    int nstages;
    struct gx_stage_decl stages[GX_MAX_BOUND_STAGES];
};

struct gx_bounds {
    const struct gx_bound_rule *rules;
    int n;
};
#define GX_BOUNDS(rules) {(rules), (int)GX_ARRAY_LEN(rules)}

const struct gx_bound_rule *gx_bound_rule(const struct gx_bounds bounds[GX_FAMILY_COUNT],
                                          int family, unsigned holds);
/* At most GX_CEIL_HOST_RATE_MAX for host memory, whose rate grows no further past the caches. */
#define GX_CEIL_HOST_RATE_MAX ((size_t)256 << 20)
size_t gx_ceil_measured_size(enum gx_ceil_kind kind, size_t size);

#endif
