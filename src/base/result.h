#ifndef GX_RESULT_H
#define GX_RESULT_H

#include "ceiling.h"
#include "chunk.h"
#include "noise.h"
#include "options.h"
#include "stats.h"

#include <stdint.h>
#include <string.h>

enum gx_state { GX_STATE_IDLE, GX_STATE_OK, GX_STATE_SKIPPED, GX_STATE_FAILED };

/* What ended a step: its iterations, its median's precision, or its share of the budget. */
enum gx_ended { GX_ENDED_ITERATIONS, GX_ENDED_PRECISION, GX_ENDED_TIME };

struct gx_auto_cand {
    int64_t chunk;
    int32_t depth, pad;
    struct gx_cand_result m;
};

#define GX_MAX_STAGES 4
#define GX_LINE_WHAT 256

static inline int gx_unit_lower_is_better(const char *unit)
{
    return unit && strcmp(unit, "us") == 0;
}

struct gx_result {
    const char *run_name;
    const char *path, *src_mem, *dst_mem, *pattern, *unit;
    int path_kind;          /* index into gx_paths of path */
    int src_kind, dst_kind; /* enum gx_mem_kind of src_mem and dst_mem */
    int pattern_kind;     /* enum gx_pattern_kind: what the name stands for */
    int family;           /* enum gx_ceil_family of its pattern */
    int a, b, same_node;
    /* A collective: its group's ranks (a the first, b the last; coll_ranks 0 for a pair). */
    const char *coll_op;
    int coll_in_place, coll_ranks;
    const int *members;
    size_t coll_bytes;    /* gx_coll_bytes of size */
    double coll_factor;   /* busbw / algbw */
    double coll_expected; /* the busbw its links allow (coll_bound.h); 0 unknown */
    char coll_rule[GX_LINE_WHAT]; /* its arithmetic */
    size_t size;
    size_t chunk;         /* 0: the path does not chunk */
    int depth;
    long iters, warmup, window; /* iters: those timed (the stop rule may end a step early) */
    int ended;
    double precision, share_s;
    double elapsed_s;     /* the step's seconds on its initiator, search and warm-up included */
    enum gx_state state;
    const char *reason;   /* skipped or failed: why */
    struct gx_stats stats;
    int validated;        /* checks done */
    int valid;            /* every check passed */
    long long bad_offset; /* first bad byte, -1 when none */
    long bad_iter;
    const double *samples;
    size_t nsamples;
    double ceiling; /* against the probes' ceiling (0 when none: ceiling_what says why) */
    const char *ceiling_what; /* e.g. "peer copy", "slowest stage: D2H at 1M" */
    double efficiency;
    struct gx_ceil_range ceiling_range; /* its probe's spread at this size */
    int ceiling_exceeded;     /* the median's 95% interval lies beyond the ceiling */
    int ceiling_within;       /* above 1, its interval reaching the ceiling: at the ceiling */
    int ceiling_unsound;      /* the probe point is no bound: ceiling_what says why */
    double line_gbs, line_share; /* against the links' line rate (bandwidth only): 0 unknown */
    int line_exceeded;
    int line_kind;            /* enum gx_link_kind of the narrowest link; -1 unknown */
    char line_what[GX_LINE_WHAT];
    struct gx_noise noise;    /* whether the machine disturbed this step (noise.h) */
    int chunk_choice;         /* enum gx_chunk_mode: how chunk and depth were set */
    int gpu_timed;            /* timed on the initiator's GPU, not with the host's clock */
    int same_gpu;             /* both ranks of the pair on one GPU */
    double l2_resident;       /* the pair's buffers fit in the GPU's L2 of this many bytes */
    const char *via;          /* how the path moved the data for this pair, or NULL */
    const char *const *stage_names; /* the path's timed stages (NULL-terminated) or NULL */
    double stage_us[2][GX_MAX_STAGES]; /* per timed iteration: [0] initiator, [1] peer */
    const struct gx_auto_cand *cands;
    int ncands;
    size_t step; /* --visits: held back until its step's last visit */
    int visits, visits_planned;
    int last;               /* its step's last visit (fewer than planned where the budget cut) */
    double visit_median[GX_MAX_VISITS];
    const char *vary_option, *vary_value; /* --vary: the option and this result's value */
};

#endif
