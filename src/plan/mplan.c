#include "config.h"
#include "mplan.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "probe.h"
#include "scheme.h"
#include "sizes.h"
#include "wrap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

long gx_default_iters(size_t bytes)
{
    static const long by_class[GX_CLASS_COUNT] = {1000, 500, 200, 50, 20, 10};
    return by_class[gx_size_class(bytes)];
}

long gx_default_warmup(long iters)
{
    return iters / 10 > 2 ? iters / 10 : 2;
}

long gx_default_window(size_t bytes)
{
    /* At least 256 MiB in flight per iteration up to 64 messages: the per-iteration handshake
     * then costs under 1% of a large message's time, as the calibration's repeats do. */
    size_t w = 256 * GX_MIB / bytes;
    return w > 64 ? 64 : w < 1 ? 1 : (long)w;
}

/* Messages of `bytes` that last GX_WINDOW_SECONDS at gbps, and that many as a window (whole
 * messages, GX_WINDOW_MAX at most). */
static double messages_in_window_time(size_t bytes, double gbps)
{
    return GX_WINDOW_SECONDS * gbps * 1e9 / (double)(bytes ? bytes : 1);
}

static long whole_window(double messages)
{
    return messages >= GX_WINDOW_MAX ? GX_WINDOW_MAX : (long)messages + 1;
}

long gx_default_window_at(size_t bytes, double gbps)
{
    /* Every iteration also pays fixed costs: the acknowledgement, a stream synchronization, a
     * library's own start (NCCL's is tens of us at 1 GiB). On H200 (issue 15) nccl bw at 256 MiB
     * read 344 GB/s with a window of 1 and 361 with 4; mpi bw at 1 MiB 176 with 64 messages and
     * 184 with 256. An iteration that lasts GX_WINDOW_SECONDS at the path's typical rate keeps
     * those costs near 1%, on a slower machine all the more. */
    long w = gx_default_window(bytes);
    double by_time = messages_in_window_time(bytes, gbps);
    return by_time > (double)w ? whole_window(by_time) : w;
}

long gx_default_window_by_time(size_t bytes, double gbps)
{
    /* unified-demand on one H200 (results/issue24/h200x1-window-ab at 208e285): 0.4660 GB/s at 16M
     * with 16 messages and with 4, 0.4658 and 0.4673 at 64M with 4 and 1; 256 MiB a window made
     * each of its iterations at 16M and 64M last 0.58 s there. */
    double by_time = messages_in_window_time(bytes, gbps);
    return by_time < 1 ? 1 : whole_window(by_time);
}

/* A group's typical pace: its path's nominal latency and rate, where a path whose nominal rate
 * is its GPU buffers' moves host buffers at both ends instead, at most GX_HOST_COPY_GBPS (mpi's
 * 400 GB/s is CUDA IPC's: on pinned memory of one H200 host it moved 6.5-16.6 GB/s, and
 * windows sized at 400 made its iterations at 16M-1G last 0.3-0.7 s). */
#define GX_HOST_COPY_GBPS 12
static struct gx_pace pace_of(const struct gx_path_ops *ops, int src_kind, int dst_kind)
{
    struct gx_pace pc = {ops->nominal_gbps > 0 ? ops->nominal_gbps : 10,
                         ops->nominal_us > 0 ? ops->nominal_us : 10};
    int gpu_path = gx_mem_on_gpu(ops->default_src) == 1 || gx_mem_on_gpu(ops->default_dst) == 1;
    if (gpu_path && gx_mem_on_gpu(src_kind) == 0 && gx_mem_on_gpu(dst_kind) == 0 &&
        pc.gbps > GX_HOST_COPY_GBPS)
        pc.gbps = GX_HOST_COPY_GBPS;
    return pc;
}

/* One message at the group's typical pace (a guess, not a measurement). */
static double nominal_message_seconds(struct gx_pace pc, size_t bytes)
{
    return pc.us * 1e-6 + (double)bytes / (pc.gbps * 1e9);
}

long gx_default_round_trips(size_t bytes, struct gx_pace pc)
{
    double n = GX_LATENCY_SAMPLE_SECONDS / (2 * nominal_message_seconds(pc, bytes));
    return n >= GX_WINDOW_MAX ? GX_WINDOW_MAX : n <= 1 ? 1 : (long)n;
}

long gx_probe_iters(size_t bytes)
{
    long n = gx_default_iters(bytes) / 2;
    return n > GX_PROBE_MIN_ITERS ? n : GX_PROBE_MIN_ITERS;
}

long gx_min_iters(long iters)
{
    long half = iters / 2 > 3 ? iters / 2 : 3;
    long n = half < GX_MIN_ITERS ? half : GX_MIN_ITERS;
    return n < iters ? n : iters;
}

/* Seconds one step takes at the group's typical pace: a guess, not a measurement. */
static double step_seconds(struct gx_pace pc, const struct gx_mstep *s)
{
    double msg = nominal_message_seconds(pc, s->size);
    double trips = gx_pattern_table[s->pattern]->family == GX_FAMILY_LATENCY ? 2 : 1;
    double iters = (double)(s->iters + s->warmup + 2 + gx_mstep_search_iters(s));
    return iters * (double)s->window * trips * msg;
}

/* The stop rule's part of a step: from the run's --iters (exact) or its precision. Its
 * warm-up is that of its fewest iterations: a step that may stop early warms up as little. */
static void set_stop_rule(const struct gx_run_opts *run, struct gx_mstep *s)
{
    s->min_iters = run->iters > 0 ? s->iters : gx_min_iters(s->iters);
    s->precision = run->iters > 0 ? 0 : run->precision;
}

/* Each step's estimate, once the group's steps are all there (candidates included). */
static void estimate_group(struct gx_mplan *p, struct gx_pace pc, size_t first)
{
    for (size_t i = first; i < p->nsteps; i++)
        p->steps[i].estimate_s = step_seconds(pc, &p->steps[i]);
}

const struct gx_path_ops *gx_mgroup_ops(const struct gx_mgroup *g)
{
    return g->probe >= 0 ? gx_probes[g->probe].ops : gx_paths[g->path].ops;
}

const char *gx_mgroup_name(const struct gx_mgroup *g)
{
    return g->probe >= 0 ? gx_probes[g->probe].name : gx_paths[g->path].name;
}

long gx_mstep_quick_iters(const struct gx_mstep *s)
{
    /* Enough to rank the candidates: a fifth of the fewest iterations (3 at least), not of
     * the most, which the stop rule rarely reaches. */
    return s->min_iters / 5 > 3 ? s->min_iters / 5 : 3;
}

long gx_mstep_search_iters(const struct gx_mstep *s)
{
    /* Each candidate: its quick iterations, one warm-up, one validation pass (both ways; it
     * warms the candidate's setting too: without it staged-mpi's ranking at 4K on one H200
     * picked depth 2, 20% below depth 4). */
    return s->ncand > 1 ? s->ncand * (gx_mstep_quick_iters(s) + 3) : 0;
}

long gx_mstep_search_floor_iters(const struct gx_mstep *s)
{
    /* Under a budget a candidate stops after one timed iteration once its slice is spent. */
    return s->ncand > 1 ? s->ncand * 4 : 0;
}

long gx_mstep_first_ask(const struct gx_mstep *s)
{
    return s->min_iters < s->iters ? s->min_iters : GX_ASK_NEVER;
}

long gx_mstep_next_ask(const struct gx_mstep *s, long n)
{
    /* Batches grow with the samples (a quarter of them, 2 at least), so that a step of n
     * iterations sorts a copy O(log n) times, and one of slow iterations is asked often enough
     * to end near its share. */
    long batch = n / 4 > 2 ? n / 4 : 2;
    return n + batch < s->iters ? n + batch : GX_ASK_NEVER;
}

long gx_mstep_next_timed_ask(const struct gx_mstep *s, long n)
{
    long first = gx_mstep_first_ask(s);
    if (first == GX_ASK_NEVER)
        return GX_ASK_NEVER;
    if (n >= first)
        return gx_mstep_next_ask(s, n);
    /* The warm-up is cut before it starts or after its first iteration: on a busy machine one
     * iteration of 256 MiB in flight took 0.15 s, and one of 24 round trips, each waiting for
     * a time slice of the peer beside CPU hogs, 0.5 s, where the default run's later steps had
     * a share of 1 ms left. */
    if (n < -s->warmup)
        return -s->warmup;
    if (n == -s->warmup && s->warmup > 1)
        return 1 - s->warmup;
    if (n < 1)
        return 1;
    /* Doubling: a step of short iterations asks a few times more, one of long ones ends within
     * twice the time its share affords. */
    return 2 * n < first ? 2 * n : first;
}

/* Where iterations vary by cv, the 95% interval of a median of n of them spans about
 * +-1.96 x 1.2533 x cv / sqrt(n) of it (relative). */
static double median_spread(double cv, long n)
{
    return 1.96 * 1.2533 * cv / sqrt((double)(n > 0 ? n : 1));
}

long gx_mstep_settled_iters(const struct gx_mstep *s, double cv)
{
    long n = gx_mstep_first_ask(s);
    if (s->precision <= 0 || n == GX_ASK_NEVER)
        return s->iters;
    while (n != GX_ASK_NEVER && median_spread(cv, n) > s->precision)
        n = gx_mstep_next_ask(s, n);
    return n == GX_ASK_NEVER ? s->iters : n;
}

static long pick(long given, long dflt)
{
    return given > 0 ? given : dflt;
}

static int add_step(struct gx_mplan *p, const struct gx_mstep *s, struct gx_err *err)
{
    struct gx_mstep *grown = gx_grow(p->steps, &p->scap, p->nsteps, 64, sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the measurement plan");
    p->steps = grown;
    p->steps[p->nsteps++] = *s;
    return GX_OK;
}

/* The chunk x depth axes of one size, as the run's chunk mode says. */
static int add_chunked(struct gx_mplan *p, const struct gx_run_opts *run,
                       const struct gx_path_ops *ops, struct gx_mstep *s, struct gx_err *err)
{
    if (run->chunk_mode == GX_CHUNK_GIVEN) {
        static const size_t one_mib = GX_MIB;
        static const int two = 2;
        const size_t *chunks = run->nchunks ? run->chunks : &one_mib;
        const int *depths = run->ndepths ? run->depths : &two;
        for (int ci = 0; ci < (run->nchunks ? run->nchunks : 1); ci++)
            for (int di = 0; di < (run->ndepths ? run->ndepths : 1); di++) {
                s->chunk = chunks[ci];
                s->depth = depths[di];
                GX_TRY(add_step(p, s, err));
            }
        return GX_OK;
    }
    const struct gx_chunk_policy *pol =
        run->chunk_mode == GX_CHUNK_AUTO ? &gx_chunk_policy_auto : ops->chunk_policy;
    s->ncand = gx_chunk_candidates(pol, s->size, s->window, run->depths, run->ndepths,
                                   s->cand_chunk, s->cand_depth, GX_AUTO_MAX_CANDIDATES);
    s->chunk = s->cand_chunk[s->ncand - 1];
    s->depth = s->cand_depth[s->ncand - 1];
    return add_step(p, s, err);
}

/* A pattern's window at a size on a path: --window, or the default of what it counts. */
static long step_window(const struct gx_run_opts *run, const struct gx_path_ops *ops,
                        struct gx_pace pc, int pattern, size_t bytes)
{
    switch (gx_pattern_table[pattern]->uses_window) {
    case GX_WINDOW_MESSAGES:
        return pick(run->window, ops->flags & GX_PATH_WINDOW_BY_TIME
                                     ? gx_default_window_by_time(bytes, pc.gbps)
                                     : gx_default_window_at(bytes, pc.gbps));
    case GX_WINDOW_ROUND_TRIPS:
        return pick(run->window, gx_default_round_trips(bytes, pc));
    default:
        return 1;
    }
}

/* Every pattern x size (x chunk x depth) of one group. */
static int add_steps(struct gx_mplan *p, const struct gx_run_opts *run,
                     const struct gx_path_ops *ops, struct gx_mgroup *g, struct gx_err *err)
{
    g->first = p->nsteps;
    struct gx_pace pc = pace_of(ops, g->src_kind, g->dst_kind);
    for (int pi = 0; pi < run->npatterns; pi++)
        for (size_t si = 0; si < run->sizes.n; si++) {
            struct gx_mstep s = {.pattern = run->patterns[pi], .size = run->sizes.v[si]};
            s.iters = pick(run->iters, gx_default_iters(s.size));
            set_stop_rule(run, &s);
            s.warmup = run->warmup >= 0 ? run->warmup : gx_default_warmup(s.min_iters);
            s.window = step_window(run, ops, pc, s.pattern, s.size);
            if (ops->flags & GX_PATH_CHUNKED)
                GX_TRY(add_chunked(p, run, ops, &s, err));
            else
                GX_TRY(add_step(p, &s, err));
        }
    g->n = p->nsteps - g->first;
    estimate_group(p, pc, g->first);
    return GX_OK;
}

/* g, its largest size taken from its steps. */
static int add_group(struct gx_mplan *p, const struct gx_mgroup *g, struct gx_err *err)
{
    struct gx_mgroup *grown = gx_grow(p->groups, &p->gcap, p->ngroups, 16, sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the measurement plan");
    p->groups = grown;
    struct gx_mgroup *added = &p->groups[p->ngroups++];
    *added = *g;
    added->largest = 0;
    for (size_t k = g->first; k < g->first + g->n; k++)
        added->largest = p->steps[k].size > added->largest ? p->steps[k].size : added->largest;
    return GX_OK;
}

static int plan_run(struct gx_mplan *p, const struct gx_options *o, int r, struct gx_err *err)
{
    const struct gx_run_opts *run = &o->runs[r];
    for (int pi = 0; pi < run->npaths; pi++) {
        const struct gx_path_entry *pe = &gx_paths[run->paths[pi]];
        struct gx_mgroup g = {.run = r, .path = run->paths[pi], .round = -1, .probe = -1};
        if (!pe->ops) { /* listed once, as skipped */
            g.absent = pe->absent_why;
            GX_TRY(add_group(p, &g, err));
            continue;
        }
        g.src_kind = run->mem_src != GX_MEM_DEFAULT ? run->mem_src : pe->ops->default_src;
        g.dst_kind = run->mem_dst != GX_MEM_DEFAULT ? run->mem_dst : pe->ops->default_dst;
        for (g.round = 0; g.round < p->pairs[r].nrounds; g.round++) {
            GX_TRY(add_steps(p, run, pe->ops, &g, err));
            GX_TRY(add_group(p, &g, err));
        }
    }
    return GX_OK;
}

/* ------------------------------------------------------------------ the ceiling probes */

/* A point a round's results need: a probe measured in a pattern family at a size, with the
 * largest window of the results it bounds (in their bytes). */
struct probe_point {
    int probe, family;
    size_t size;
    long window;
    int run, round; /* the (run, round) that measures it */
};
struct probe_points {
    struct probe_point *v;
    size_t n, cap;
};

static int same_point(const struct probe_point *a, const struct probe_point *b)
{
    return a->probe == b->probe && a->family == b->family && a->size == b->size &&
           a->run == b->run && a->round == b->round;
}

static int point_add(struct probe_points *pts, const struct probe_point *pt, struct gx_err *err)
{
    for (size_t i = 0; i < pts->n; i++)
        if (same_point(&pts->v[i], pt)) {
            pts->v[i].window = pt->window > pts->v[i].window ? pt->window : pts->v[i].window;
            return GX_OK;
        }
    struct probe_point *grown = gx_grow(pts->v, &pts->cap, pts->n, 16, sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the measurement plan");
    pts->v = grown;
    pts->v[pts->n++] = *pt;
    return GX_OK;
}

/* The window of a probe at `at` bytes that moves what the step's iteration moves: the same
 * bytes in flight, in pieces of `at` (GX_WINDOW_MAX at most). */
static long probe_window(const struct gx_mstep *st, size_t at)
{
    double w = (double)st->window * (double)st->size / (double)(at ? at : 1);
    return w >= GX_WINDOW_MAX ? GX_WINDOW_MAX : w <= 1 ? 1 : (long)(w + 0.999);
}

/* The points one rule names for one step: each stage's probe at the message or, for a rule at
 * the chunk, at each chunk the step may use. */
static int rule_points(struct probe_points *pts, const struct gx_bound_rule *rule,
                       const struct gx_mstep *st, struct gx_err *err)
{
    int n = rule->at_chunk && st->ncand > 1 ? st->ncand : 1;
    for (int i = 0; i < n; i++) {
        /* As the path cuts the message: no chunk, or one larger, is the whole. */
        size_t c = !rule->at_chunk ? 0 : st->ncand > 1 ? st->cand_chunk[i] : st->chunk;
        size_t at = c == 0 || c > st->size ? st->size : c;
        for (int k = 0; k < rule->nstages; k++) {
            int family, probe = gx_probe_of_kind(rule->stages[k].kind, &family);
            if (probe < 0)
                return gx_fail(err, GX_ERUNTIME, "no probe measures ceiling %s",
                               gx_ceil_kind_name(rule->stages[k].kind));
            /* Measured smaller (host memory past the caches), the point moves one message an
             * iteration: the bytes in flight were for the result's handshake, which a copy of
             * 256 MiB makes negligible as it is. */
            size_t there = gx_ceil_measured_size(rule->stages[k].kind, at);
            struct probe_point pt = {.probe = probe, .family = family, .size = there,
                                     .window = there < at ? 1 : probe_window(st, at)};
            GX_TRY(point_add(pts, &pt, err));
        }
    }
    return GX_OK;
}

/* What one path group's results will be rated against: for each pair of its round, the rule
 * that holds, or with --calibrate full every rule of the step's family. */
static int group_points(const struct gx_mplan *p, const struct gx_options *o,
                        const struct gx_mgroup *g, struct probe_points *pts, struct gx_err *err)
{
    const struct gx_path_ops *ops = gx_paths[g->path].ops;
    const struct gx_round *round = &p->pairs[g->run].rounds[g->round];
    int full = o->runs[g->run].calibrate == GX_CALIBRATE_FULL;
    for (size_t k = g->first; k < g->first + g->n; k++) {
        const struct gx_mstep *st = &p->steps[k];
        int family = gx_pattern_table[st->pattern]->family;
        if (full) {
            for (int i = 0; i < ops->bounds[family].n; i++)
                GX_TRY(rule_points(pts, &ops->bounds[family].rules[i], st, err));
            continue;
        }
        for (int i = 0; i < round->npairs; i++) {
            const struct gx_pair *pr = &round->pairs[i];
            int same = p->layout->node_of[pr->a] == p->layout->node_of[pr->b];
            const struct gx_bound_rule *rule = gx_bound_rule(
                ops->bounds, family, gx_bound_conditions(g->src_kind, g->dst_kind, same));
            if (rule)
                GX_TRY(rule_points(pts, rule, st, err));
        }
    }
    return GX_OK;
}

/* The first pattern of a family (a probe measures a family with the pattern results use). */
static int pattern_of_family(int family)
{
    for (int k = 0; k < gx_pattern_count; k++)
        if ((int)gx_pattern_table[k]->family == family)
            return k;
    return -1;
}

static int point_order(const void *x, const void *y)
{
    const struct probe_point *a = x, *b = y;
    if (a->probe != b->probe)
        return a->probe < b->probe ? -1 : 1;
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    return a->size < b->size ? -1 : a->size > b->size;
}

/* The probe groups of one (run, round): a group per probe, its steps by family and size. */
static int add_probe_groups(struct gx_mplan *p, const struct gx_run_opts *run, int r, int round,
                            struct probe_points *pts, struct gx_err *err)
{
    qsort(pts->v, pts->n, sizeof *pts->v, point_order);
    for (size_t i = 0; i < pts->n;) {
        const struct gx_probe *pb = &gx_probes[pts->v[i].probe];
        struct gx_mgroup g = {.run = r, .path = -1, .round = round, .probe = pts->v[i].probe,
                              .first = p->nsteps};
        if (!pb->ops)
            g.absent = pb->absent_why;
        else {
            g.src_kind = pb->ops->default_src;
            g.dst_kind = pb->ops->default_dst;
        }
        for (; i < pts->n && &gx_probes[pts->v[i].probe] == pb; i++) {
            struct gx_mstep s = {.pattern = pattern_of_family(pts->v[i].family),
                                 .size = pts->v[i].size};
            if (s.pattern < 0 || !pb->ops)
                continue;
            /* --iters is the results': a probe takes it as its most, never more than its own
             * (--iters 60000, for as many samples of a result, made the 8 B latency probe 1.4
             * million round trips: 180 s beside CPU hogs, each round trip waiting for a
             * time slice of the peer). */
            long most = gx_probe_iters(s.size);
            s.iters = run->iters > 0 && run->iters < most ? run->iters : most;
            set_stop_rule(run, &s);
            /* A ceiling is the probe's best iteration, which a few iterations on a busy machine
             * miss: a fifth of its most at least, cheap where iterations are short, and
             * GX_PROBE_MIN_ITERS. */
            if (run->iters <= 0 && s.iters / 5 > s.min_iters)
                s.min_iters = s.iters / 5;
            if (run->iters <= 0 && s.min_iters < GX_PROBE_MIN_ITERS)
                s.min_iters = s.iters < GX_PROBE_MIN_ITERS ? s.iters : GX_PROBE_MIN_ITERS;
            s.warmup = run->warmup >= 0 ? run->warmup : gx_default_warmup(s.min_iters);
            s.window = gx_pattern_table[s.pattern]->uses_window ? pts->v[i].window : 1;
            GX_TRY(add_step(p, &s, err));
        }
        g.n = p->nsteps - g.first;
        if (pb->ops)
            estimate_group(p, pace_of(pb->ops, g.src_kind, g.dst_kind), g.first);
        GX_TRY(add_group(p, &g, err));
    }
    return GX_OK;
}

/* The points of step group g that no earlier step of its path group measures, into `fresh`;
 * each one noted in `planned`. `all` is room to reuse, called once a step. */
static int fresh_points(const struct gx_mplan *p, const struct gx_options *o,
                        const struct gx_mgroup *g, struct probe_points *all,
                        struct probe_points *planned, struct probe_points *fresh,
                        struct gx_err *err)
{
    all->n = 0;
    int rc = group_points(p, o, g, all, err);
    fresh->n = 0;
    for (size_t i = 0; i < all->n && rc == GX_OK; i++) {
        struct probe_point pt = all->v[i];
        pt.run = g->run;
        pt.round = g->round;
        size_t k = 0;
        while (k < planned->n && !same_point(&planned->v[k], &pt))
            k++;
        if (k < planned->n) /* an earlier step of its path group measures it */
            continue;
        rc = point_add(planned, &pt, err);
        if (rc == GX_OK)
            rc = point_add(fresh, &pt, err);
    }
    return rc;
}

/* A path group's steps from `first`, `n` of them, as a group of their own. */
static int add_slice(struct gx_mplan *p, const struct gx_mgroup *g, size_t first, size_t n,
                     struct gx_err *err)
{
    struct gx_mgroup slice = *g;
    slice.first = first;
    slice.n = n;
    return add_group(p, &slice, err);
}

/* Each result step's probes just before it, in its round: a ceiling is measured under the
 * conditions of the results it bounds (on a shared machine the load changes tenfold within a
 * minute, and a probe measured once up front bounded results of a quieter moment), and a result
 * is rated as soon as it is measured. A point two steps of one path group need is measured
 * before the first; another path group measures it again before its own (the ceiling keeps
 * the best of both): on one H100 shared by two ranks the peer copy's best at 1M was 236 GB/s
 * before mpi's steps, and p2p's median at 1M, 20 s later, 273. A path group is cut where probes
 * come between its steps. */
static int plan_probes(struct gx_mplan *p, const struct gx_options *o, struct gx_err *err)
{
    size_t npath = p->ngroups;
    struct gx_mgroup *paths = malloc((npath ? npath : 1) * sizeof *paths);
    if (!paths)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the measurement plan");
    memcpy(paths, p->groups, npath * sizeof *paths);
    p->ngroups = 0;
    struct probe_points planned = {0}, fresh = {0}, all = {0};
    int rc = GX_OK;
    for (size_t gi = 0; gi < npath && rc == GX_OK; gi++) {
        const struct gx_mgroup *g = &paths[gi];
        planned.n = 0;
        if (!o->runs[g->run].calibrate || g->absent || g->round < 0) {
            rc = add_group(p, g, err);
            continue;
        }
        size_t from = g->first; /* the first step not yet in a group */
        for (size_t k = g->first; k < g->first + g->n && rc == GX_OK; k++) {
            struct gx_mgroup one = *g;
            one.first = k;
            one.n = 1;
            rc = fresh_points(p, o, &one, &all, &planned, &fresh, err);
            if (rc != GX_OK || !fresh.n)
                continue;
            if (k > from)
                rc = add_slice(p, g, from, k - from, err);
            if (rc == GX_OK)
                rc = add_probe_groups(p, &o->runs[g->run], g->run, g->round, &fresh, err);
            from = k;
        }
        if (rc == GX_OK)
            rc = add_slice(p, g, from, g->first + g->n - from, err);
    }
    free(planned.v);
    free(fresh.v);
    free(all.v);
    free(paths);
    return rc;
}

int gx_mplan_make(const struct gx_options *o, const struct gx_layout *layout,
                  struct gx_mplan *p, struct gx_err *err)
{
    memset(p, 0, sizeof *p);
    p->layout = layout;
    int rc = GX_OK;
    for (int r = 0; r < o->nruns && rc == GX_OK; r++) {
        rc = gx_pairs_resolve(o->runs[r].pairs, layout, &p->pairs[r], err);
        if (rc == GX_OK)
            p->nruns = r + 1;
    }
    for (int r = 0; r < o->nruns && rc == GX_OK; r++)
        rc = plan_run(p, o, r, err);
    if (rc == GX_OK)
        rc = plan_probes(p, o, err);
    if (rc != GX_OK)
        gx_mplan_free(p);
    return rc;
}

unsigned gx_mplan_views(const struct gx_mplan *p)
{
    unsigned v = 0;
    for (int r = 0; r < p->nruns; r++)
        v |= p->pairs[r].scheme ? p->pairs[r].scheme->views : 0;
    return v;
}

void gx_mplan_free(struct gx_mplan *p)
{
    for (int r = 0; r < p->nruns; r++)
        gx_pairs_free(&p->pairs[r]);
    free(p->groups);
    free(p->steps);
    memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------------ --dry-run */

/* Lines of measurements --dry-run lists before it only counts. */
#define GX_DRY_RUN_LINES 2000

static void chunk_text(const struct gx_mstep *s, int chunked, char *buf, size_t len)
{
    char c[24];
    if (!chunked)
        snprintf(buf, len, "-");
    else if (s->ncand > 1)
        snprintf(buf, len, "best of %d", s->ncand);
    else {
        gx_format_size(s->chunk, c, sizeof c);
        snprintf(buf, len, "%s/%d", c, s->depth);
    }
}

static long total_rounds(const struct gx_mplan *p)
{
    long n = 0;
    for (int r = 0; r < p->nruns; r++)
        n += p->pairs[r].nrounds;
    return n;
}

/* Seconds of a step that ends after n of its iterations and `warmup` warm-up ones (with its
 * validation and search, whose candidates ran `search` iterations in all). */
static double step_seconds_of(const struct gx_mstep *s, long n, long warmup, long search)
{
    double all = (double)(s->iters + s->warmup + 2 + gx_mstep_search_iters(s));
    return s->estimate_s * ((double)(n + warmup + 2 + search)) / all;
}

static double step_seconds_at(const struct gx_mstep *s, long n, long search)
{
    return step_seconds_of(s, n, s->warmup, search);
}

/* The least a step takes under a budget: its validation, one warm-up and one timed iteration
 * (gx_mstep_next_timed_ask) and its candidates' least; a step of exactly --iters, all of
 * them. */
static double step_least_seconds(const struct gx_mstep *s)
{
    if (gx_mstep_first_ask(s) == GX_ASK_NEVER)
        return s->estimate_s;
    return step_seconds_of(s, 1, s->warmup < 1 ? s->warmup : 1, gx_mstep_search_floor_iters(s));
}

double gx_dry_run_cv(size_t bytes)
{
    return bytes <= 64 * GX_KIB ? GX_DRY_RUN_CV : bytes <= GX_MIB ? GX_DRY_RUN_CV / 2
                                                                   : GX_DRY_RUN_CV / 4;
}

/* The time --dry-run counts for a step, *now the plan's clock: its estimate up to where it
 * settles at gx_dry_run_cv, cut to its share of the budget but never below its least. */
static double step_planned(struct gx_budget *bg, const struct gx_mstep *s, double *now)
{
    double t = step_seconds_at(s, gx_mstep_settled_iters(s, gx_dry_run_cv(s->size)),
                               gx_mstep_search_iters(s));
    double share = gx_budget_share(bg, s, *now);
    if (bg->seconds > 0 && s->min_iters < s->iters && t > share) {
        double least = step_least_seconds(s);
        t = share > least ? share : least;
    }
    *now += t;
    return t;
}

/* Seconds a group spends outside its iterations on its buffers: allocating, pinning or first
 * touching and freeing two of its largest size (and a probe its own beside them) at about
 * GX_SETUP_GBPS. On one shared H200 the plan scenario's probe groups spent 8 s of its 32 s of
 * probes outside their steps, most of them in groups of 1 GiB, and the host path's step at
 * 1 GiB 0.75 s beyond its iterations (pageable memory touched the first time). */
#define GX_SETUP_GBPS 5
double gx_mgroup_setup_seconds(const struct gx_mgroup *g)
{
    return g->absent ? 0 : 2 * (double)g->largest / (GX_SETUP_GBPS * 1e9);
}

/* The widths of the step table's columns of names: as wide as this plan's widest, so that the
 * lines fit GX_TABLE_COLUMNS where the names are short. A named run's steps follow a line
 * "# run NAME" of their own. */
struct step_widths {
    int path, mem;
    int last_run; /* the run whose name was said last, -1 before the first */
};

static void group_names(const struct gx_mgroup *g, char *what, size_t wlen, char *mem,
                        size_t mlen)
{
    snprintf(what, wlen, "%s%s", g->probe >= 0 ? "ceiling:" : "", gx_mgroup_name(g));
    snprintf(mem, mlen, "%s>%s", gx_mem_name(g->src_kind), gx_mem_name(g->dst_kind));
}

static struct step_widths step_widths(const struct gx_mplan *p)
{
    struct step_widths w = {4, 6, -1}; /* "path", "memory" */
    for (size_t i = 0; i < p->ngroups; i++) {
        char what[40], mem[40];
        group_names(&p->groups[i], what, sizeof what, mem, sizeof mem);
        w.path = (int)strlen(what) > w.path ? (int)strlen(what) : w.path;
        w.mem = (int)strlen(mem) > w.mem ? (int)strlen(mem) : w.mem;
    }
    return w;
}

/* The group's lines (none with f NULL: only counted). */
static void print_group(FILE *f, const struct gx_mplan *p, const struct gx_options *o,
                        const struct gx_mgroup *g, struct step_widths *w,
                        struct gx_budget *bg, long *step, double *secs)
{
    const struct gx_path_ops *ops = gx_mgroup_ops(g);
    char what[40], mem[40];
    group_names(g, what, sizeof what, mem, sizeof mem);
    if (f && g->run != w->last_run && o->runs[g->run].name[0])
        fprintf(f, "# run %s\n", o->runs[g->run].name);
    w->last_run = g->run;
    if (g->absent) {
        if (f)
            gx_print_note(f, "%6s %-*s skipped: %s\n", "-", w->path, what, g->absent);
        return;
    }
    const struct gx_round *round = &p->pairs[g->run].rounds[g->round];
    /* The round's pairs, or its first and how many more (the line fits GX_TABLE_COLUMNS). */
    char pairs[64] = "";
    for (int i = 0; i < round->npairs && strlen(pairs) + 12 < sizeof pairs; i++)
        snprintf(pairs + strlen(pairs), sizeof pairs - strlen(pairs), "%s%d:%d", i ? "," : "",
                 round->pairs[i].a, round->pairs[i].b);
    if (strlen(pairs) > 7)
        snprintf(pairs, sizeof pairs, "%d:%d,+%d", round->pairs[0].a, round->pairs[0].b,
                 round->npairs - 1);
    for (size_t i = g->first; i < g->first + g->n; i++) {
        const struct gx_mstep *s = &p->steps[i];
        char size[32], chunk[48];
        gx_format_size(s->size, size, sizeof size);
        chunk_text(s, (ops->flags & GX_PATH_CHUNKED) != 0, chunk, sizeof chunk);
        ++*step;
        if (f)
            fprintf(f, "%6ld %-*s %-*s %-7s %5s %-10s %5ld %4ld %6ld %s\n", *step, w->path, what,
                    w->mem, mem, gx_pattern_table[s->pattern]->name, size, chunk, s->iters,
                    s->warmup, s->window, pairs);
        step_planned(bg, s, secs);
    }
}

/* Seconds and steps of one round of run r: every path's steps once. */
static double round_seconds(const struct gx_mplan *p, int r, long *steps)
{
    double secs = 0;
    *steps = 0;
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        if (gr->run != r || gr->absent || gr->round != 0)
            continue;
        for (size_t i = gr->first; i < gr->first + gr->n; i++)
            secs += p->steps[i].estimate_s;
        if (gr->probe < 0) /* a probe's steps are no results */
            *steps += (long)gr->n;
    }
    return secs;
}

/* Every scheme of the table on this layout, with the runs' steps: to choose one before the job
 * is submitted. */
static void print_schemes(FILE *f, const struct gx_mplan *p, const struct gx_options *o)
{
    const struct gx_layout *l = p->layout;
    char per[16] = "uneven";
    if (l->per_node)
        snprintf(per, sizeof per, "%d", l->per_node);
    gx_print_note(f, "# schemes on %d node%s x %s ranks (%d ranks%s): measurements, rounds and "
            "estimated time with these runs' paths, patterns and sizes\n", l->nnodes,
            l->nnodes == 1 ? "" : "s", per, l->nranks, l->assumed ? ", assumed" : "");
    fprintf(f, "# %-15s %8s %7s %10s  %s\n", "scheme", "results", "rounds", "estimate s", "what");
    for (int i = 0; gx_schemes[i]; i++) {
        const struct gx_scheme *s = gx_schemes[i];
        if (!s->name)
            continue;
        long results = 0, rounds = 0;
        double secs = 0;
        struct gx_err why = {0};
        int ok = 1;
        for (int r = 0; r < o->nruns && ok; r++) {
            struct gx_pairs ps;
            if (gx_pairs_resolve(s->name, l, &ps, &why) != GX_OK) {
                ok = 0;
                break;
            }
            long steps;
            double per_round = round_seconds(p, r, &steps);
            for (int k = 0; k < ps.nrounds; k++)
                results += (long)ps.rounds[k].npairs * steps;
            rounds += ps.nrounds;
            secs += per_round * ps.nrounds;
            gx_pairs_free(&ps);
        }
        if (ok)
            gx_print_note(f, "# %-15s %8ld %7ld %10.0f  %s\n", s->name, results, rounds, secs,
                          s->what);
        else
            gx_print_note(f, "# %-15s %8s %7s %10s  not here: %s\n", s->name, "-", "-", "-",
                          why.msg);
    }
}

void gx_mplan_print(FILE *f, const struct gx_mplan *p, const struct gx_options *o)
{
    long step = 0;
    double secs = 0;
    fprintf(f, "# dry run: the measurements this job would make, in order (one result per pair "
            "of the round)\n");
    struct step_widths w = step_widths(p);
    fprintf(f, "# %4s %-*s %-*s %-7s %5s %-10s %5s %4s %6s %s\n", "step", w.path, "path", w.mem,
            "memory", "pattern", "size", "chunk/dep", "iters", "warm", "window", "pairs");
    long results = 0, probes = 0;
    double probe_secs = 0;
    struct gx_budget bg;
    gx_budget_start(&bg, p, (double)o->g.budget, 0);
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        /* A plan of thousands of rounds prints its first lines; the totals count them all. */
        FILE *to = step < GX_DRY_RUN_LINES ? f : NULL;
        long before = step;
        double secs_before = secs;
        print_group(to, p, o, gr, &w, &bg, &step, &secs);
        secs += gx_mgroup_setup_seconds(gr);
        if (gr->probe >= 0) {
            probes += step - before;
            probe_secs += secs - secs_before;
        } else if (!gr->absent)
            results += (long)gr->n * p->pairs[gr->run].rounds[gr->round].npairs;
    }
    if (step > GX_DRY_RUN_LINES)
        fprintf(f, "# ... %ld more measurements not listed\n", step - GX_DRY_RUN_LINES);
    gx_print_note(f, "# %ld measurements (%ld results; %ld ceiling probes, %.0f s of the estimate), "
                  "in %ld rounds; estimate %.0f s, at each path's and probe's nominal rate and "
                  "steps that settle where iterations vary by %.3g%% up to 64 KiB, %.3g%% up to "
                  "1 MiB and %.3g%% above (a guess: the machine decides)\n", step, results, probes,
                  probe_secs, total_rounds(p), secs + GX_JOB_OVERHEAD_S,
                  100 * gx_dry_run_cv(64 * GX_KIB), 100 * gx_dry_run_cv(GX_MIB),
                  100 * gx_dry_run_cv(GX_MIB + 1));
    /* The verdict a line of its own, whole. */
    if (o->g.budget > 0 && secs + GX_JOB_OVERHEAD_S <= (double)o->g.budget * GX_BUDGET_SLACK)
        fprintf(f, "# the estimate is within the budget of %ld s\n", o->g.budget);
    else if (o->g.budget > 0)
        fprintf(f, "# the estimate is over the budget of %ld s%s\n", o->g.budget,
                gx_budget_least(p) > (double)o->g.budget * GX_BUDGET_SLACK
                    ? ": the steps' least take longer"
                    : "");
    gx_mplan_print_exact(f, p, o);
    gx_budget_print(f, p, o);
    print_schemes(f, p, o);
}

/* ------------------------------------------------------------------ the budget */

static int step_runs(const struct gx_mplan *p, size_t i)
{
    for (size_t g = 0; g < p->ngroups; g++)
        if (i >= p->groups[g].first && i < p->groups[g].first + p->groups[g].n)
            return !p->groups[g].absent;
    return 0;
}

void gx_budget_start(struct gx_budget *bg, const struct gx_mplan *p, double seconds, double now)
{
    bg->seconds = seconds;
    bg->t0 = now;
    bg->estimate_left = 0;
    bg->steps_left = 0;
    for (size_t i = 0; i < p->nsteps; i++)
        if (step_runs(p, i)) {
            bg->estimate_left += p->steps[i].estimate_s;
            bg->steps_left++;
        }
}

/* The fraction of what is left that a step of estimate w takes. */
static double share_part(const struct gx_budget *bg, double w)
{
    double steps = bg->steps_left > 0 ? (double)bg->steps_left : 1;
    double by_estimate = bg->estimate_left > 0 ? w / bg->estimate_left : 1 / steps;
    return GX_BUDGET_EVEN / steps + (1 - GX_BUDGET_EVEN) * by_estimate;
}

double gx_budget_left(const struct gx_budget *bg, double now)
{
    /* What the job does after its steps (the plan, the report) is kept back. */
    double left = bg->seconds - GX_JOB_OVERHEAD_S - (now - bg->t0);
    return left > 0 ? left : 0;
}

double gx_budget_share(struct gx_budget *bg, const struct gx_mstep *s, double now)
{
    double part = share_part(bg, s->estimate_s);
    bg->estimate_left = bg->estimate_left - s->estimate_s > 0 ? bg->estimate_left - s->estimate_s
                                                              : 0;
    bg->steps_left = bg->steps_left > 0 ? bg->steps_left - 1 : 0;
    if (bg->seconds <= 0)
        return 0;
    /* A step past its share still runs its fewest iterations: never a share of nothing. */
    double share = gx_budget_left(bg, now) * part;
    return share > 1e-3 ? share : 1e-3;
}

void gx_budget_skip(struct gx_budget *bg, const struct gx_mstep *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bg->estimate_left -= s[i].estimate_s;
    if (bg->estimate_left < 0)
        bg->estimate_left = 0;
    bg->steps_left = bg->steps_left > (long)n ? bg->steps_left - (long)n : 0;
}

double gx_budget_least(const struct gx_mplan *p)
{
    double secs = GX_JOB_OVERHEAD_S;
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        if (gr->absent)
            continue;
        secs += gx_mgroup_setup_seconds(gr);
        for (size_t i = gr->first; i < gr->first + gr->n; i++)
            secs += step_least_seconds(&p->steps[i]);
    }
    return secs;
}

void gx_budget_print(FILE *f, const struct gx_mplan *p, const struct gx_options *o)
{
    if (o->g.budget <= 0)
        return;
    double least = gx_budget_least(p);
    if (least > (double)o->g.budget * GX_BUDGET_SLACK)
        gx_print_note(f, "# budget %ld s cannot be kept: the plan's least (every step's validation, "
                "one warm-up and one timed iteration, and its setup) takes about %.1f s at the "
                "estimated rates\n", o->g.budget, least);
    struct gx_budget bg;
    gx_budget_start(&bg, p, (double)o->g.budget, 0);
    double avail = gx_budget_left(&bg, 0);
    long fewest = -1, steps = 0, capped = 0;
    double precision = 0;
    for (size_t i = 0; i < p->nsteps; i++) {
        const struct gx_mstep *s = &p->steps[i];
        if (!step_runs(p, i) || s->min_iters >= s->iters || s->estimate_s <= 0)
            continue;
        steps++;
        precision = s->precision > precision ? s->precision : precision;
        /* The iterations the step's share affords at its estimated pace, within its limits. */
        double per_iter = s->estimate_s / (double)(s->iters + s->warmup + 2 +
                                                   gx_mstep_search_iters(s));
        double fixed = per_iter * (double)(s->warmup + 2 + gx_mstep_search_iters(s));
        double share = avail * share_part(&bg, s->estimate_s);
        long n = (long)((share - fixed) / per_iter);
        if (n >= s->iters)
            capped++;
        n = n < 1 ? 1 : n > s->iters ? s->iters : n;
        if (fewest < 0 || n < fewest)
            fewest = n;
    }
    if (steps == 0)
        return;
    gx_print_note(f, "# budget %ld s for %ld steps (ceiling probes included): each stops once its "
            "median is known to +-%.3g%% or its share is spent; at the estimated rates every "
            "step affords %ld iterations or more (%ld steps all of theirs): +-%.2g%% where "
            "iterations vary by %.0f%%\n", o->g.budget, steps, 100 * precision, fewest, capped,
            100 * median_spread(GX_DRY_RUN_CV, fewest), 100 * GX_DRY_RUN_CV);
}
