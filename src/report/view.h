/* The end of the run as a table of views (run_report.c): a finished run is one record, and
 * each view of it (the run's status, the health findings, the kept results, the matrices, the
 * host links, the transfer plan, the interference, the library's protocols) is a row of the
 * same few operations, the view's own functions. A new view is a file with its row, and one
 * line in the table. The summary is not a view: every report has it, the one the watchdog
 * writes before the end too (report_files.c). Rank 0. */
#ifndef GX_VIEW_H
#define GX_VIEW_H

#include "links.h"

#include <cjson/cJSON.h>
#include <stdio.h>

struct gx_ceilings;
struct gx_context;
struct gx_gpu_counters;
struct gx_harness_out;
struct gx_layout;
struct gx_options;
struct gx_report;
struct gx_tally;
struct gx_ucx_proto;

#define GX_VIEWS 9

/* The run's findings (rank 0): from the link facts at the start, from the views at the end
 * (view.h), for the table's # health lines, the report and --fail-on-health. */
#define GX_HEALTH_MAX 64
struct gx_health_set {
    struct gx_health h[GX_HEALTH_MAX];
    int n;
};

/* A finished run: what every view reads, and the views' states once made. */
struct gx_run {
    const struct gx_options *opts;
    const struct gx_layout *layout;
    unsigned layout_views;       /* the runs' schemes' layout matrices (gx_mplan_views) */
    const struct gx_context *context; /* every rank's, the report's; its link facts too */
    const struct gx_kept *kept;  /* the first pass's results in their order */
    size_t nkept;
    const struct gx_tally *tally;
    const struct gx_ceilings *ceilings; /* the first pass's, whole; NULL where it stopped before */
    const struct gx_ucx_proto *proto;
    const struct gx_harness_out *ho;
    /* Every rank's GPU counters around the run, by rank (NULL: not read, counters_why says
     * why). */
    const struct gx_gpu_counters *counters;
    int ncounters;
    const char *counters_why;
    cJSON *rounds;               /* the rounds' aggregates, handed to the report */
    double least_s;              /* the plan's fewest seconds, for the budget */
    int exit_code;
    const char *error;           /* why, where exit_code is an error */
    /* The facts' findings from the start, then every view's from its first one: health_from. */
    struct gx_health_set health;
    int health_from;
    FILE *table;
    void *state[GX_VIEWS]; /* until gx_run_free: a streamed member reads its view's */
};

/* Every operation may be NULL: the view has none of it. The pass allocates each view's state
 * (state_size bytes, zeroed) for make and the others; gx_run_free frees it after free, once the
 * report is closed. */
struct gx_view_ops {
    const char *name;  /* the report's member json makes */
    size_t state_size;
    int (*make)(void *state, const struct gx_run *run, struct gx_err *err);
    /* Appends to h (nh findings already, max in all); returns the new count. */
    int (*findings)(const void *state, const struct gx_run *run, struct gx_health *h, int nh,
                    int max);
    cJSON *(*json)(const void *state, const struct gx_run *run); /* NULL: nothing to say */
    int (*fill_report)(struct gx_report *rep, void *state, struct gx_run *run,
                       struct gx_err *err); /* other members, or streamed ones */
    void (*print)(FILE *table, const void *state, const struct gx_run *run);
    void (*free)(void *state);
};

/* The table (run_report.c), in the order of the table's lines and the report's members. */
extern const struct gx_view_ops *const gx_views[];

#endif
