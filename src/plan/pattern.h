/* Communication patterns: one ops table indexed by enum gx_pattern_kind. */
#ifndef GX_PATTERN_H
#define GX_PATTERN_H

#include "coll.h"
#include "path.h"

/* What a pattern's window (--window) counts in one timed iteration (one sample). */
enum gx_window_use {
    GX_WINDOW_NONE,        /* an iteration is one transfer */
    GX_WINDOW_MESSAGES,    /* messages in flight at once (bw, bibw) */
    GX_WINDOW_ROUND_TRIPS, /* round trips one after the other, timed together (latency) */
};

struct gx_pattern_ops {
    const char *name;
    const char *unit;     /* "us" or "GB/s" */
    const char *what;
    enum gx_window_use uses_window;
    int lower_is_better;  /* latency: a smaller median is a better result */
    int both_ways;        /* data moves both ways: both sides fill and both check */
    enum gx_ceil_family family; /* which ceilings rate it (ceiling.h) */
    /* One timed iteration; *seconds is what the initiator measured. */
    int (*iterate)(struct gx_ep *ep, size_t bytes, int window, double *seconds,
                   struct gx_err *err);
    /* The sample reported for one iteration; nranks: the pair's 2, or the group's. */
    double (*value)(size_t bytes, int window, double seconds, int nranks);
    /* A collective over a group of ranks (--pairs job or node), not a pattern of a pair. */
    enum gx_coll coll;
    int in_place;
};

extern const struct gx_pattern_ops *const gx_pattern_table[];
extern const int gx_pattern_count;
int gx_pattern_lookup(const char *name);
/* The patterns of one kind (collectives or not) in buf, sep between them, in table order. */
const char *gx_pattern_names(char *buf, size_t len, const char *sep, int collective,
                             int with_in_place);

#endif
