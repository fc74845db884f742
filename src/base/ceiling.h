/* Ceilings: the machine's own limits, measured by the calibration in the same job
 * (calibrate.c), and the lookups each path's ceiling hook uses to say which one bounds a result.
 * Plain data, no MPI or CUDA: the paths, the report and the unit tests use it as it is; rating a
 * result against its path's bounds is the engine's (rating.h). */
#ifndef GX_CEILING_H
#define GX_CEILING_H

#include "gx.h"

struct gx_result;

/* What a ceiling measures. Bandwidths are streamed throughput in GB/s (1e9 bytes/s) of copies
 * or messages of one size; latency is one way in us. */
enum gx_ceil_kind {
    GX_CEIL_H2D,           /* per GPU: pinned host -> device, copy engine */
    GX_CEIL_D2H,           /* per GPU: device -> pinned host, copy engine */
    GX_CEIL_PEER,          /* per same-node GPU pair: cudaMemcpyPeerAsync a -> b in one process */
    GX_CEIL_PEER_BIDIR,    /* both directions at once, total */
    GX_CEIL_MPI_BW,        /* per rank pair: MPI host to host, windows of non-blocking messages,
                              on pageable (malloc) buffers */
    GX_CEIL_MPI_BIBW,      /* both directions at once, total */
    GX_CEIL_MPI_LAT,       /* per rank pair: MPI_Send/MPI_Recv ping-pong, one way, pageable */
    GX_CEIL_MAPPED_WRITE,  /* per GPU: SM stores (gx_kernel_copy) device -> mapped pinned host */
    GX_CEIL_MAPPED_READ,   /* per GPU: SM loads (gx_kernel_copy) mapped pinned host -> device */
    GX_CEIL_PREFETCH_HOST, /* per GPU: cudaMemPrefetchAsync of managed pages GPU -> host */
    GX_CEIL_PREFETCH_GPU,  /* per GPU: cudaMemPrefetchAsync of managed pages host -> GPU */
    GX_CEIL_FAULT_IN,      /* per GPU: a kernel touching managed pages on the host */
    GX_CEIL_COPY_BIDIR,    /* per GPU: H2D and D2H copy engines at once, total */
    GX_CEIL_MAPPED_BIDIR,  /* per GPU: kernels writing and reading mapped host at once, total */
    GX_CEIL_MPI_MANAGED_BW,   /* per rank pair: MPI windows between managed buffers on the host */
    GX_CEIL_MPI_MANAGED_BIBW, /* both directions at once, total */
    GX_CEIL_MPI_MIGRATED_BW,   /* per rank pair: the same, each message's pages just moved to
                                  the host by the driver, as unified-prefetch hands them to MPI */
    GX_CEIL_MPI_MIGRATED_BIBW, /* both directions at once, total */
    GX_CEIL_MPI_PINNED_BW,     /* per rank pair: MPI host to host as GX_CEIL_MPI_BW, on pinned
                                  buffers (the staged paths' own; a CUDA-aware MPI checks each
                                  buffer's kind, and pinned and pageable memory differ in speed) */
    GX_CEIL_MPI_PINNED_BIBW,   /* both directions at once, total */
    GX_CEIL_MPI_PINNED_LAT,    /* ping-pong on pinned buffers, one way */
    GX_CEIL_KINDS
};

/* Which family of ceilings rates a pattern's results (gx_pattern_ops.family): a one-way
 * stream, both directions at once (totals), or one-way latency. */
enum gx_ceil_family { GX_FAMILY_ONE_WAY, GX_FAMILY_BOTH_WAYS, GX_FAMILY_LATENCY };

#define GX_CEIL_TEXT 200

/* One size of a curve: the median of the repeats and their spread. */
struct gx_ceil_point {
    uint64_t size;
    double median, min, max;
    int32_t repeats;            /* 0: not measured; absent says why */
    int32_t rechecked;          /* of the repeats, those taken again after a result crossed the
                                   point (gx_ceil_point_widen) */
    char absent[GX_CEIL_TEXT];
};

/* One ceiling as a function of the size, for one GPU (b = -1) or one ordered pair (a, b). */
struct gx_ceil_curve {
    int32_t kind;               /* enum gx_ceil_kind */
    int32_t a, b;               /* ranks; for per-GPU kinds, a is the rank whose GPU it is */
    int32_t n;
    char what[GX_CEIL_TEXT];    /* how it was measured, e.g. "cudaMemcpyPeerAsync GPU 0 -> GPU 1" */
    char absent[GX_CEIL_TEXT];  /* not measured at any size: why ("" when measured) */
    struct gx_ceil_point *pts;  /* n, by increasing size */
};

/* Every ceiling of the job (rank 0 holds them all after calibration). */
struct gx_ceilings {
    int n;
    size_t cap;
    struct gx_ceil_curve *curves;
    double seconds;             /* how long the calibration took */
};

const char *gx_ceil_kind_name(enum gx_ceil_kind k);
/* "GB/s" or "us". */
const char *gx_ceil_kind_unit(enum gx_ceil_kind k);
/* 1 for a kind measured per GPU (curve b = -1), 0 for one per pair. */
int gx_ceil_kind_per_gpu(enum gx_ceil_kind k);
/* 1 for a latency (us, lower is better), 0 for a bandwidth. */
int gx_ceil_kind_latency(enum gx_ceil_kind k);

/* Adds a curve (its points are copied); GX_ERUNTIME when out of memory. */
int gx_ceilings_add(struct gx_ceilings *c, const struct gx_ceil_curve *curve,
                    const struct gx_ceil_point *pts, struct gx_err *err);
void gx_ceilings_free(struct gx_ceilings *c);

/* The curve of kind for GPU a (b = -1) or for pair (a, b); NULL when none was planned. */
const struct gx_ceil_curve *gx_ceil_find(const struct gx_ceilings *c, enum gx_ceil_kind kind,
                                         int a, int b);
/* Merges `again`, the point (kind, a, b, size) measured anew, into the calibration's: the
 * range covers both, the repeats count both (`again`'s also as rechecked), and the median is
 * the faster of the two (a bound is the best the operation was seen to do). 0 when there is no
 * such point or `again` has no repeats. */
int gx_ceil_point_widen(struct gx_ceilings *c, int kind, int a, int b, size_t size,
                        const struct gx_ceil_point *again);
/* The median at exactly `size` (calibration measures every size the runs need), or 0 with the
 * reason in why. */
double gx_ceil_value(const struct gx_ceilings *c, enum gx_ceil_kind kind, int a, int b,
                     size_t size, char *why, size_t len);

/* The spread of a ceiling's repeats at one size (scaled like its value), and which point it is. */
struct gx_ceil_range {
    double lo, hi;
    int repeats;
    int kind, a, b; /* the point's curve (gx_ceil_find's) */
    size_t size;    /* and size */
};

/* One stage of a path's data movement, for gx_ceil_slowest. */
struct gx_ceil_stage {
    const char *name;           /* e.g. "D2H on rank 0" */
    enum gx_ceil_kind kind;
    int a, b;
    double scale;               /* 2 for a one-way ceiling bounding a both-ways total, else 1 */
};

/* The slowest of the stages at `size`: its value, and in what "slowest stage: NAME at SIZE"
 * (prefix "slowest stage: " only with more than one stage). 0 when any stage is unknown, with
 * that stage's reason in what. */
double gx_ceil_slowest(const struct gx_ceilings *c, const struct gx_ceil_stage *stages, int n,
                       size_t size, char *what, size_t len, struct gx_ceil_range *range);

/* ---- what bounds a path's results, declared as data (gx_path_ops.bounds) */

#define GX_FAMILY_COUNT 3
/* Whose ceiling a stage is, relative to the result's pair (initiator a, peer b). */
enum gx_stage_at { GX_AT_INITIATOR, GX_AT_PEER, GX_AT_PAIR };
/* Conditions of a rule: every bit given must hold. */
#define GX_IF_GPU_MEM    0x1u /* a buffer of the pair is GPU memory */
#define GX_IF_SAME_NODE  0x2u
#define GX_IF_OTHER_NODE 0x4u
#define GX_IF_PAGEABLE   0x8u /* a buffer of the pair is pageable host memory (malloc) */
#define GX_MAX_BOUND_STAGES 5

struct gx_stage_decl {
    const char *name;
    enum gx_ceil_kind kind;
    enum gx_stage_at at;
    double scale;           /* 2: a one-way stage bounding a both-ways total; 0 means 1 */
};

/* One way a result can be bounded: by the slowest of its stages, where the rule's conditions
 * hold. A rule with no stages says why nothing bounds it there. */
struct gx_bound_rule {
    unsigned when;          /* GX_IF_* (0: always) */
    int at_chunk;           /* rated at the chunk the path cut the message into */
    const char *none;       /* no stages: why no ceiling applies */
    int nstages;
    struct gx_stage_decl stages[GX_MAX_BOUND_STAGES];
};

/* A path's rules for one pattern family, the first that holds applies. */
struct gx_bounds {
    const struct gx_bound_rule *rules;
    int n;
};
#define GX_BOUNDS(rules) {(rules), (int)GX_ARRAY_LEN(rules)}

/* The rule that rates a result of a family where `holds` (gx_bound_conditions, rating.h), or
 * NULL when the path declares none. */
const struct gx_bound_rule *gx_bound_rule(const struct gx_bounds bounds[GX_FAMILY_COUNT],
                                          int family, unsigned holds);

/* The result's chunk as the path cut the message (0 or larger than the message: the whole). */
size_t gx_ceil_chunk(const struct gx_result *res);

#endif
