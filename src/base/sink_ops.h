/* The one door between what measures and what reports: only base types cross it. */
#ifndef GX_SINK_OPS_H
#define GX_SINK_OPS_H

#include "ceiling.h"
#include "gx.h"
#include "result.h"

#include <stddef.h>

struct gx_pair;

/* The harness's events, in the order it raises them; "every rank" or else rank 0 only. */
struct gx_sink_ops {
    void (*pass)(void *ctx, long pass);
    /* Every rank: a step starts. budget_left: negative without a budget. */
    void (*step)(void *ctx, size_t size, const char *what, const char *pattern, int visit,
                 int visits, double budget_left);
    /* Rank 0, where it initiates the step: the median is known to +-reached so far. */
    void (*precision)(void *ctx, double reached, double budget_left);
    /* Every rank: n steps of the plan will not run (their group is skipped): counted as done. */
    void (*steps_skipped)(void *ctx, long n);
    /* A path that cannot run, for each of the pairs (npairs 0: the whole path). */
    void (*skip)(void *ctx, const char *run, const char *path, const struct gx_pair *pairs,
                 int npairs, const char *reason);
    /* A round of npairs pairs: a result is the engine's until result returns (copy to keep). */
    void (*round_begin)(void *ctx, int round, int nrounds, int npairs);
    int (*result)(void *ctx, const struct gx_result *res, struct gx_err *err);
    int (*round_end)(void *ctx, struct gx_err *err);
    /* The first pass's ceilings so far, for a report written before the pass ends; then all. */
    int (*ceilings_so_far)(void *ctx, const struct gx_ceilings *c, struct gx_err *err);
    int (*ceilings)(void *ctx, const struct gx_ceilings *c, struct gx_err *err);
    void (*soak)(void *ctx, long seconds, double seconds_run, long passes);
    void (*end)(void *ctx);
};

struct gx_sink_door {
    const struct gx_sink_ops *ops;
    void *ctx;
};

/* Why the watchdog ends the job (rank 0), for the report it writes with what was measured. */
struct gx_sink_abort {
    const char *status;   /* the report's status: "interrupted", "incomplete" */
    int code;             /* the exit code the watchdog means to end with */
    const char *message;  /* the report's "error", the line stderr got */
    int began;            /* a measurement began: otherwise nothing is worth a report */
    const char *kind; /* "signal" or "timeout"; the measurement under way (or NULL) */
    const char *measurement;
    const int *ranks;
    int nranks;
    const char *signal;
    double timeout_s;
    const char *phase;
};
/* Writes (or discards) the report and returns the exit code, from the watchdog's thread. */
typedef int (*gx_sink_abort_fn)(void *ctx, const struct gx_sink_abort *a);

#endif
