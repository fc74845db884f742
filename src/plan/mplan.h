/* The measurement plan: every measurement the job makes, in the order it makes them, expanded
 * once from the options: first the ceiling probes the results will be rated against (each at
 * the sizes and pairs its results need), then the results. The harness executes it, the
 * progress line counts it and --dry-run prints it: nothing else expands options. */
#ifndef GX_MPLAN_H
#define GX_MPLAN_H

#include "chunk.h"
#include "options.h"
#include "pairs.h"

#include <stdio.h>

/* One measurement: one result per pair of its group's round. */
struct gx_mstep {
    int pattern;               /* enum gx_pattern_kind */
    size_t size;
    size_t chunk;              /* chunked paths: bytes per chunk (ncand 1); otherwise 0 */
    int depth;
    long iters, warmup, window;
    /* Chunked paths without fixed --chunk/--depth: the candidates (the whole message last);
     * with more than one, each is measured briefly and the best is measured in full. */
    int ncand;
    size_t cand_chunk[GX_AUTO_MAX_CANDIDATES];
    int cand_depth[GX_AUTO_MAX_CANDIDATES];
};

/* One (run, path or probe, round): its buffers and the path are opened once for all its
 * steps. */
struct gx_mgroup {
    int run, path, round;
    int probe;                 /* >= 0: the ceiling probe gx_probes[probe] (path is -1) */
    int src_kind, dst_kind;    /* resolved: the run's --mem or the path's defaults */
    const char *absent;        /* the path is not in this build: skipped, no steps */
    size_t first, n;           /* its steps */
    size_t largest;            /* the largest size of its steps */
};

struct gx_mplan {
    const struct gx_layout *layout;     /* the job's, or the one --assume-nodes gives */
    int nruns;
    struct gx_pairs pairs[GX_MAX_RUNS]; /* each run's rounds, resolved once */
    struct gx_mgroup *groups;
    size_t ngroups, gcap;
    struct gx_mstep *steps;
    size_t nsteps, scap;
};

/* The ops a group measures (its path's or its probe's), and their name. */
const struct gx_path_ops *gx_mgroup_ops(const struct gx_mgroup *g);
const char *gx_mgroup_name(const struct gx_mgroup *g);

/* Size-dependent defaults (documented in --help). */
long gx_default_iters(size_t bytes);
long gx_default_warmup(long iters);
long gx_default_window(size_t bytes);
/* A path's bw/bibw window: gx_default_window, or more messages where an iteration would last
 * less than GX_WINDOW_SECONDS at gbps (the path's typical rate), up to GX_WINDOW_MAX. */
#define GX_WINDOW_SECONDS 0.02
#define GX_WINDOW_MAX 256
long gx_default_window_at(size_t bytes, double gbps);
/* Latency: round trips per sample, so that a sample lasts about GX_LATENCY_SAMPLE_SECONDS at
 * the path's typical latency and rate, up to GX_WINDOW_MAX: the clock read twice per sample is
 * then a negligible part of it. */
#define GX_LATENCY_SAMPLE_SECONDS 50e-6
long gx_default_round_trips(size_t bytes, const struct gx_path_ops *ops);
/* A probe's iterations: its ceiling is its best one, found in half a result's default (at
 * least GX_PROBE_MIN_ITERS), its schedules taking turns. */
#define GX_PROBE_MIN_ITERS 10
long gx_probe_iters(size_t bytes);

/* Expands the options for a job of this layout (kept by pointer: it outlives the plan).
 * GX_EINPUT for pairs the job cannot have, GX_ERUNTIME when out of memory. */
int gx_mplan_make(const struct gx_options *o, const struct gx_layout *layout,
                  struct gx_mplan *p, struct gx_err *err);
void gx_mplan_free(struct gx_mplan *p);
/* The matrices (GX_VIEW_*) the runs' pair schemes make. */
unsigned gx_mplan_views(const struct gx_mplan *p);

/* The iterations a step runs beyond its own (the candidates' brief measurements, their
 * warm-ups and validation), for the watchdog's limit and the estimate. */
long gx_mstep_search_iters(const struct gx_mstep *s);
/* Iterations of a candidate's brief measurement. */
long gx_mstep_quick_iters(long iters);

/* --dry-run: every step, one line each, and an estimate of the time the job will take. */
void gx_mplan_print(FILE *f, const struct gx_mplan *p, const struct gx_options *o);

#endif
