/* The measurement plan's core: the options expanded into its groups and steps (each run's
 * paths, rounds, patterns, sizes, chunks and depths, with their defaults and stop rule), the plan
 * made, freed and asked which matrices its runs make, and the boundaries at which a step's stop
 * rule is asked. Its ceiling probes are placed by mplan_probes.c, its steps' estimates and the
 * budget are mplan_budget.c's, --dry-run's listing mplan_print.c's. */
#include "config.h"
#include "mplan.h"
#include "mplan_impl.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "probe.h"
#include "scheme.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The stop rule's part of a step: from the run's --iters (exact) or its precision. Its
 * warm-up is that of its fewest iterations: a step that may stop early warms up as little. */
void gx_mplan_set_stop_rule(const struct gx_run_opts *run, struct gx_mstep *s)
{
    s->min_iters = s->floor_iters = run->iters > 0 ? s->iters : gx_min_iters(s->iters);
    s->precision = run->iters > 0 ? 0 : run->precision;
}

const struct gx_path_ops *gx_mgroup_ops(const struct gx_mgroup *g)
{
    return g->probe >= 0 ? gx_probes[g->probe].ops : gx_paths[g->path].ops;
}

const char *gx_mgroup_name(const struct gx_mgroup *g)
{
    return g->probe >= 0 ? gx_probes[g->probe].name : gx_paths[g->path].name;
}

double gx_path_settle_s(const struct gx_path_ops *ops)
{
    if (ops->settle_s > 0)
        return ops->settle_s;
    return ops->flags & GX_PATH_NEEDS_GPU ? GX_GPU_SETTLE_S : 0;
}

int gx_mplan_uses_gpu(const struct gx_mplan *p)
{
    for (size_t i = 0; i < p->ngroups; i++) {
        const struct gx_mgroup *g = &p->groups[i];
        const struct gx_path_ops *ops = gx_mgroup_ops(g);
        if (!g->absent && ops && ((ops->flags & GX_PATH_NEEDS_GPU) ||
                                  gx_mem_has(g->src_kind, GX_MEM_GPU_ACCESSIBLE) ||
                                  gx_mem_has(g->dst_kind, GX_MEM_GPU_ACCESSIBLE)))
            return 1;
    }
    return 0;
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
     * warms the candidate's setting too: without it the first candidate measured of a setting
     * can rank below one that is slower). */
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
     * warm-up iteration (a large window in flight, or round trips each waiting for a time
     * slice) can outlast what is left of a late step's share. */
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

static long pick(long given, long dflt)
{
    return given > 0 ? given : dflt;
}

int gx_mplan_add_step(struct gx_mplan *p, const struct gx_mstep *s, struct gx_err *err)
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
        static const size_t given_chunk = GX_GIVEN_CHUNK_MIB * GX_MIB;
        static const int given_depth = GX_GIVEN_DEPTH;
        const size_t *chunks = run->nchunks ? run->chunks : &given_chunk;
        const int *depths = run->ndepths ? run->depths : &given_depth;
        for (int ci = 0; ci < (run->nchunks ? run->nchunks : 1); ci++)
            for (int di = 0; di < (run->ndepths ? run->ndepths : 1); di++) {
                s->chunk = chunks[ci];
                s->depth = depths[di];
                GX_TRY(gx_mplan_add_step(p, s, err));
            }
        return GX_OK;
    }
    const struct gx_chunk_policy *pol =
        run->chunk_mode == GX_CHUNK_AUTO ? &gx_chunk_policy_auto : ops->chunk_policy;
    s->ncand = gx_chunk_candidates(pol, s->size, s->window, run->depths, run->ndepths,
                                   s->cand_chunk, s->cand_depth, GX_AUTO_MAX_CANDIDATES);
    s->chunk = s->cand_chunk[s->ncand - 1];
    s->depth = s->cand_depth[s->ncand - 1];
    return gx_mplan_add_step(p, s, err);
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
    struct gx_pace pc = gx_mplan_pace_of(ops, g->src_kind, g->dst_kind);
    for (int pi = 0; pi < run->npatterns; pi++)
        for (size_t si = 0; si < run->sizes.n; si++) {
            struct gx_mstep s = {.pattern = run->patterns[pi], .size = run->sizes.v[si]};
            s.iters = pick(run->iters, gx_default_iters(s.size));
            gx_mplan_set_stop_rule(run, &s);
            s.window = step_window(run, ops, pc, s.pattern, s.size);
            s.warmup = run->warmup >= 0 ? run->warmup
                                        : gx_default_warmup_settling(
                                              s.min_iters, gx_path_settle_s(ops),
                                              gx_mplan_iteration_seconds(pc, &s));
            if (ops->flags & GX_PATH_CHUNKED)
                GX_TRY(add_chunked(p, run, ops, &s, err));
            else
                GX_TRY(gx_mplan_add_step(p, &s, err));
        }
    g->n = p->nsteps - g->first;
    gx_mplan_estimate_group(p, pc, g->first);
    return GX_OK;
}

/* g, its largest size taken from its steps. */
int gx_mplan_add_group(struct gx_mplan *p, const struct gx_mgroup *g, struct gx_err *err)
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

/* The run's own probes: a group per probe and round, as a path's. */
static int plan_run_probes(struct gx_mplan *p, const struct gx_run_opts *run, int r,
                           struct gx_err *err)
{
    for (int i = 0; i < run->nprobes; i++) {
        const struct gx_probe *pb = &gx_probes[run->probes[i]];
        struct gx_mgroup g = {.run = r, .path = -1, .round = -1, .probe = run->probes[i],
                              .own = 1};
        if (!pb->ops) { /* listed once, as skipped */
            g.absent = pb->absent_why;
            GX_TRY(gx_mplan_add_group(p, &g, err));
            continue;
        }
        g.src_kind = pb->ops->default_src;
        g.dst_kind = pb->ops->default_dst;
        for (g.round = 0; g.round < p->pairs[r].nrounds; g.round++) {
            GX_TRY(add_steps(p, run, pb->ops, &g, err));
            GX_TRY(gx_mplan_add_group(p, &g, err));
        }
    }
    return GX_OK;
}

static int plan_run(struct gx_mplan *p, const struct gx_options *o, int r, struct gx_err *err)
{
    const struct gx_run_opts *run = &o->runs[r];
    GX_TRY(plan_run_probes(p, run, r, err));
    for (int pi = 0; pi < run->npaths; pi++) {
        const struct gx_path_entry *pe = &gx_paths[run->paths[pi]];
        struct gx_mgroup g = {.run = r, .path = run->paths[pi], .round = -1, .probe = -1};
        if (!pe->ops) { /* listed once, as skipped */
            g.absent = pe->absent_why;
            GX_TRY(gx_mplan_add_group(p, &g, err));
            continue;
        }
        g.src_kind = run->mem_src != GX_MEM_DEFAULT ? run->mem_src : pe->ops->default_src;
        g.dst_kind = run->mem_dst != GX_MEM_DEFAULT ? run->mem_dst : pe->ops->default_dst;
        for (g.round = 0; g.round < p->pairs[r].nrounds; g.round++) {
            GX_TRY(add_steps(p, run, pe->ops, &g, err));
            GX_TRY(gx_mplan_add_group(p, &g, err));
        }
    }
    return GX_OK;
}

int gx_mplan_step_visits(const struct gx_mplan *p, size_t i)
{
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        if (i < gr->first || i >= gr->first + gr->n)
            continue;
        if (gr->absent)
            return 0;
        const struct gx_mstep *s = &p->steps[i];
        return gr->probe >= 0 || s->min_iters >= s->iters ? 1 : p->nvisits;
    }
    return 0;
}

struct gx_mstep gx_mstep_visit(const struct gx_mstep *s, int visits, int first)
{
    struct gx_mstep v = *s;
    if (visits <= 1)
        return v;
    long part = (s->iters + visits - 1) / visits;
    v.iters = part > s->min_iters ? part : s->min_iters;
    v.precision = s->precision * sqrt((double)visits);
    if (!first)
        v.ncand = v.ncand > 1 ? 1 : v.ncand;
    double per_iter = s->estimate_s / (double)(s->iters + s->warmup + 2 + gx_mstep_search_iters(s));
    v.estimate_s = per_iter * (double)(v.iters + v.warmup + 2 + gx_mstep_search_iters(&v));
    return v;
}

int gx_mplan_make(const struct gx_options *o, const struct gx_layout *layout,
                  struct gx_mplan *p, struct gx_err *err)
{
    memset(p, 0, sizeof *p);
    p->layout = layout;
    p->nvisits = o->g.visits > 0 ? (int)o->g.visits : GX_DEFAULT_VISITS;
    int rc = GX_OK;
    for (int r = 0; r < o->nruns && rc == GX_OK; r++) {
        rc = gx_pairs_resolve(o->runs[r].pairs, layout, &p->pairs[r], err);
        if (rc == GX_OK)
            p->nruns = r + 1;
    }
    for (int r = 0; r < o->nruns && rc == GX_OK; r++)
        rc = plan_run(p, o, r, err);
    if (rc == GX_OK)
        rc = gx_mplan_plan_probes(p, o, err);
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
