/* Ceilings: the machine's own limits, measured in the same job by the ceiling probes (the
 * layers below the paths, src/paths/probe*.c, run by the harness like paths), and the lookups
 * each path's ceiling hook uses to say which one bounds a result.
 * Plain data, no MPI or CUDA: the paths, the report and the unit tests use it as it is; rating a
 * result against its path's bounds is the engine's (rating.h). */
#ifndef GX_CEILING_H
#define GX_CEILING_H

#include "gx.h"
#include "noise.h"
#include "slots.h"
#include "strpool.h"


/* What a ceiling measures: one ceiling probe (paths/probe.c) in one pattern family, per
 * ordered rank pair (a, b), measured by the pair as its results are, both sides at once: where
 * the two ranks share a GPU, a link or memory, the probe shares it as the path does. Bandwidths
 * are GB/s (1e9 bytes/s) of windows of one size, both-ways kinds the total of both directions;
 * latency is one way in us. */
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
    /* Per GPU (a its rank, b -1): one GPU's host link alone, as nvbandwidth's
       host_to_device_memcpy_ce and device_to_host_memcpy_ce copy it: a copy engine's
       cudaMemcpyAsync of the whole message between pinned host memory and the GPU, while no
       other GPU of the node copies (the node's map, one GPU at a time) */
    GX_CEIL_H2D,
    GX_CEIL_D2H,
    GX_CEIL_KINDS,
    GX_CEIL_NONE = -1
};

/* Which family of ceilings rates a pattern's results (gx_pattern_ops.family): a one-way
 * stream, both directions at once (totals), or one-way latency. */
enum gx_ceil_family { GX_FAMILY_ONE_WAY, GX_FAMILY_BOTH_WAYS, GX_FAMILY_LATENCY };

/* The longest text a ceiling keeps, its '\0' included: a reason (an error's message, up to
 * 1 KiB) is cut there, as the table and the report have always shown it. */
#define GX_CEIL_TEXT 200

/* One size of a curve: the probe's best iteration (the highest rate, the lowest latency:
 * a limit is what the layer reaches at its best) and the spread of its iterations. Its texts
 * are entries of its ceilings' pool (gx_ceil_point_absent reads them): every point of every
 * pair a probe could not measure gives the same reason, and rank 0 holds a point per result. */
struct gx_ceil_point {
    uint64_t size;
    double best, median, min, max;
    int32_t iters;              /* 0: not measured; absent says why */
    gx_sid absent;              /* why not measured; GX_SID_NONE when measured */
    double elapsed_s;           /* the probe's step on its initiator, untimed parts included */
    struct gx_noise noise;      /* its step's, judged as a result's */
};

/* One ceiling as a function of the size, for one ordered pair (a, b). */
struct gx_ceil_curve {
    int32_t kind;               /* enum gx_ceil_kind */
    int32_t a, b;               /* ranks; for per-GPU kinds, a is the rank whose GPU it is */
    int32_t n;
    gx_sid what;                /* how it was measured (the probe's what) */
    gx_sid absent;              /* not measured at any size: why (GX_SID_NONE when measured) */
    struct gx_ceil_point *pts;  /* n, by increasing size */
};

/* Every ceiling of the job (rank 0 holds them once the probes ran). */
struct gx_ceilings {
    int n;
    size_t cap;
    struct gx_ceil_curve *curves;
    /* An index of curves by (kind, a, b), open addressing: every result's rating and every
     * probe's point looks its curve up, and a job of thousands of pairs has thousands of
     * curves. */
    struct gx_slots index;
    struct gx_strpool texts;    /* the curves' and points' texts, each distinct one once */
    double seconds;             /* how long the probes took */
};

/* The texts of a curve or point of c: "" for none. */
const char *gx_ceil_curve_what(const struct gx_ceilings *c, const struct gx_ceil_curve *k);
const char *gx_ceil_curve_absent(const struct gx_ceilings *c, const struct gx_ceil_curve *k);
const char *gx_ceil_point_absent(const struct gx_ceilings *c, const struct gx_ceil_point *p);

const char *gx_ceil_kind_name(enum gx_ceil_kind k);
/* "GB/s" or "us". */
const char *gx_ceil_kind_unit(enum gx_ceil_kind k);
/* 1 for a latency (us, lower is better), 0 for a bandwidth. */
int gx_ceil_kind_latency(enum gx_ceil_kind k);

void gx_ceilings_free(struct gx_ceilings *c);
/* dst (empty) becomes a copy of src, its own memory (its texts' pool included); GX_ERUNTIME
 * when out of memory (dst then holds what was copied, to be freed). */
int gx_ceilings_copy(struct gx_ceilings *dst, const struct gx_ceilings *src, struct gx_err *err);
/* One point of the curve (kind, a, b), made when missing (with `what`): a new size goes in its
 * place by size; at a size already there, a measured point replaces an absent one and the
 * better best of two measured ones stays (a limit is the best the layer was seen to reach).
 * absent: why pt was not measured (NULL or "" when it was), in place of pt's own absent.
 * GX_ERUNTIME when out of memory. */
int gx_ceilings_put(struct gx_ceilings *c, enum gx_ceil_kind kind, int a, int b,
                    const char *what, const struct gx_ceil_point *pt, const char *absent,
                    struct gx_err *err);

/* The curve of kind for GPU a (b = -1) or for pair (a, b); NULL when none was planned. */
const struct gx_ceil_curve *gx_ceil_find(const struct gx_ceilings *c, enum gx_ceil_kind kind,
                                         int a, int b);
/* The best at exactly `size` (the probes measure every size the results need), or 0 with the
 * reason in why. */
double gx_ceil_value(const struct gx_ceilings *c, enum gx_ceil_kind kind, int a, int b,
                     size_t size, char *why, size_t len);

/* The spread of a ceiling's iterations at one size, and which point it is. */
struct gx_ceil_range {
    double lo, hi;
    int iters;
    int kind, a, b; /* the point's curve (gx_ceil_find's) */
    size_t size;    /* and size */
};

/* One stage of a path's data movement, for gx_ceil_slowest. */
struct gx_ceil_stage {
    const char *name;           /* e.g. "D2H on rank 0" */
    enum gx_ceil_kind kind;
    int a, b;
};

/* The slowest of the stages at `size`: its value, and in what "slowest stage: NAME at SIZE"
 * (prefix "slowest stage: " only with more than one stage). 0 when any stage is unknown, with
 * that stage's reason in what. */
double gx_ceil_slowest(const struct gx_ceilings *c, const struct gx_ceil_stage *stages, int n,
                       size_t size, char *what, size_t len, struct gx_ceil_range *range);

/* A ceiling point bounds a result only where the probe itself was not the one disturbed. A
 * message on a layer takes no less time than a smaller one on it: a point slower than a larger
 * size of its curve by more than GX_CEIL_SLACK (the spread of two equal costs, 1 B and 2 B,
 * measured best of many) was slowed in every iteration. A point the machine disturbed (its
 * waited or tail mark) more than the result it would rate is no bound either. And a result beyond GX_CEIL_BEYOND times the probe's best did not beat the
 * layer below: the probe's point missed it. */
#define GX_CEIL_SLACK 1.25
#define GX_CEIL_BEYOND 2.0
/* 1 with the reason in why when the point `at` names (gx_ceil_slowest's range) cannot bound a
 * result of this noise; 0 when it can. */
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
/* Why results between nodes have no ceiling: the network is the layer below, and no probe
 * measures it. */
#define GX_NONE_ACROSS_NODES "across nodes: the network bounds it, and no probe measures it"

/* A layer the path's data crosses, measured by its probe at the result's pair. */
struct gx_stage_decl {
    const char *name;
    enum gx_ceil_kind kind;
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

/* The rule that rates a result of a family where `holds` (gx_bound_conditions, path.h), or
 * NULL when the path declares none. */
const struct gx_bound_rule *gx_bound_rule(const struct gx_bounds bounds[GX_FAMILY_COUNT],
                                          int family, unsigned holds);
/* The size a ceiling is measured at for a result at `size`: the size itself, but at most
 * GX_CEIL_HOST_RATE_MAX for a rate of host memory, which grows no further once a copy's two
 * buffers are past the caches, while a larger probe costs seconds (docs/ceilings.md); a result
 * above it is rated against that point. The plan measures there and the lookups read there. */
#define GX_CEIL_HOST_RATE_MAX ((size_t)256 << 20)
size_t gx_ceil_measured_size(enum gx_ceil_kind kind, size_t size);

#endif
