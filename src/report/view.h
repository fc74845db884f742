/* The end of the run as a table of views (run_report.c): each view of the finished run is a row
 * of the same few operations. A new view is a file with its row, and one line in the table.
 * The summary is not a view: the watchdog's report has it too. Rank 0. */
#ifndef GX_VIEW_H
#define GX_VIEW_H

#include "links.h"

#include <stdio.h>

struct cJSON;
struct gx_ceilings;
struct gx_context;
struct gx_gpu_counters;
struct gx_grid;
struct gx_harness_out;
struct gx_layout;
struct gx_options;
struct gx_report;
struct gx_tally;
struct gx_ucx_proto;

/* The views, in the order of the table's lines and the report's members: adding one is its file
 * (defining gx_view_NAME) and its row here. */
#define GX_VIEW_LIST(X)                                                                       \
    X(health) X(status) X(matrices) X(host_map) X(layout_matrices) X(coll_nodes)              \
    X(transfer_plan) X(interference) X(protocols) X(kept) X(expect)
#define GX_VIEW_COUNT(name) +1
#define GX_VIEWS (0 GX_VIEW_LIST(GX_VIEW_COUNT))

/* The run's findings: the link facts' at the start, the views' at the end. */
#define GX_HEALTH_MAX 64
struct gx_health_set {
    struct gx_health h[GX_HEALTH_MAX];
    int n;
};

/* A finished run: what every view reads, and the views' states once made. */
struct gx_run {
    const struct gx_options *opts;
    const struct gx_layout *layout;
    unsigned layout_views;       /* gx_mplan_views */
    const struct gx_context *context;
    const struct gx_kept *kept;
    size_t nkept;
    const struct gx_tally *tally;
    const struct gx_ceilings *ceilings; /* the first pass's, whole; NULL where it stopped before */
    const struct gx_ucx_proto *proto;
    const struct gx_harness_out *ho;
    const struct gx_gpu_counters *counters; /* by rank; NULL: not read, counters_why says why */
    int ncounters;
    const char *counters_why;
    struct cJSON *rounds;               /* handed to the report */
    double least_s;              /* the plan's fewest seconds */
    int exit_code;
    const char *error;           /* why, where exit_code is an error */
    const char *status;          /* the report's; NULL: exit_code's (gx_rc_status) */
    /* The facts' findings, then the views' from health_from. */
    struct gx_health_set health;
    int health_from;
    FILE *table;
    void *state[GX_VIEWS]; /* until gx_run_free: a streamed member reads its view's */
};

/* Every operation may be NULL. Each view's state (state_size bytes, zeroed) lives until
 * gx_run_free, once the report is closed. */
struct gx_view_ops {
    const char *name;  /* the member json makes */
    size_t state_size;
    int (*make)(void *state, const struct gx_run *run, struct gx_err *err);
    /* Appends to h (nh findings already, max in all); returns the new count. */
    int (*findings)(const void *state, const struct gx_run *run, struct gx_health *h, int nh,
                    int max);
    /* The view's answer as grids (grid.h), which the one text and one JSON renderer draw: its
     * ngrids (NULL: one, its member that grid's object; else an array of them, or where the
     * grids are rows alone the array of their rows) grids, grid i into g; where a view has none
     * yet, its own json and print. */
    int (*ngrids)(const void *state, const struct gx_run *run);
    int (*grid)(const void *state, const struct gx_run *run, int i, struct gx_grid *g,
                struct gx_err *err);
    struct cJSON *(*json)(const void *state, const struct gx_run *run); /* NULL: nothing to say */
    int (*fill_report)(struct gx_report *rep, void *state, struct gx_run *run,
                       struct gx_err *err); /* other members, or streamed ones */
    void (*print)(FILE *table, const void *state, const struct gx_run *run);
    void (*free)(void *state);
};

/* A made view drawn: its lines into table, its member into *json (NULL: none). */
int gx_view_draw(const struct gx_view_ops *o, const void *state, const struct gx_run *run,
                 FILE *table, struct cJSON **json, struct gx_err *err);

#define GX_VIEW_EXTERN(name) extern const struct gx_view_ops gx_view_##name;
GX_VIEW_LIST(GX_VIEW_EXTERN)
extern const struct gx_view_ops *const gx_views[]; /* GX_VIEW_LIST's, then NULL */

#endif
