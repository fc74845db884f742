/* One finished measurement as rank 0 reports it. */
#ifndef GX_RESULT_H
#define GX_RESULT_H

#include "stats.h"

enum gx_state { GX_STATE_IDLE, GX_STATE_OK, GX_STATE_SKIPPED, GX_STATE_FAILED };

struct gx_result {
    const char *run_name;
    const char *path, *src_mem, *dst_mem, *pattern, *unit;
    int a, b, same_node;
    size_t size;
    size_t chunk;         /* 0: the path does not chunk */
    int depth;
    long iters, warmup, window;
    enum gx_state state;
    const char *reason;   /* skipped or failed: why */
    struct gx_stats stats;
    int validated;        /* checks done */
    int valid;            /* every check passed */
    long long bad_offset; /* first bad byte, -1 when none */
    long bad_iter;
    const double *samples;
    size_t nsamples;
};

const char *gx_state_name(enum gx_state s);

#endif
