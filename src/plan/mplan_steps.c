/* A plan's steps and groups themselves, below the rest of the plan, which uses these. */
#include "config.h"
#include "mplan.h"
#include "mplan_impl.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "probe.h"
#include "slots.h"

#include <math.h>
#include <stdlib.h>

/* From the run's exact --iters, or its precision. */
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

long gx_mstep_quick_iters(const struct gx_mstep *s)
{
    /* Of the fewest, not the most, which the stop rule rarely reaches. */
    return s->min_iters / 5 > 3 ? s->min_iters / 5 : 3;
}

double gx_mstep_check_iters(const struct gx_mstep *s)
{
    if (s->best_of)
        return 0;
    /* One message each way the data goes, filled, moved, poisoned and compared (about three
     * messages' time), where an iteration moves a window of them (a round trip two each). A
     * collective's: one call, its fill and compare (a 1 GiB allreduce staged through host memory
     * took about two calls' time a check). */
    const struct gx_pattern_ops *pat = gx_pattern_table[s->pattern];
    if (pat->family == GX_FAMILY_COLLECTIVE)
        return 2.0 / (double)(s->window > 1 ? s->window : 1) + s->check_fill;
    double per_iter = (double)(s->window > 1 ? s->window : 1) *
                      (pat->family == GX_FAMILY_LATENCY ? 2 : 1);
    return 3.0 * (pat->both_ways ? 2 : 1) / per_iter + s->check_fill;
}

long gx_mstep_search_iters(const struct gx_mstep *s)
{
    /* Warm-up and validation too: else a setting's first candidate can rank below slower. */
    if (s->ncand <= 1)
        return 0;
    /* Where the pilot measured the candidates: each at its own pace, in the chosen one's. */
    double cands = s->search_weight > 0 ? s->search_weight : (double)s->ncand;
    /* Its warm-up; where the pilot measured no check of its own, a check's two. */
    return (long)ceil(cands * (double)(gx_mstep_quick_iters(s) + (s->measure_s > 0 ? 1 : 3)));
}

double gx_mstep_runs(const struct gx_mstep *s, long n)
{
    return (double)(n + s->warmup + gx_mstep_search_iters(s)) + gx_mstep_check_iters(s);
}

double gx_mstep_iteration_estimate(const struct gx_mstep *s)
{
    double all = gx_mstep_runs(s, s->iters);
    return all > 0 ? s->estimate_s / all : 0;
}

long gx_mstep_search_min_iters(const struct gx_mstep *s)
{
    double per_iter = gx_mstep_iteration_estimate(s);
    long quick = gx_mstep_quick_iters(s);
    long want = per_iter < GX_SEARCH_SHORT_S ? GX_SEARCH_MIN_ITERS : 1;
    return want < quick ? want : quick;
}

long gx_mstep_search_floor_iters(const struct gx_mstep *s)
{
    return s->ncand > 1 ? s->ncand * (gx_mstep_search_min_iters(s) + 3) : 0;
}

long gx_mstep_first_ask(const struct gx_mstep *s)
{
    return s->min_iters < s->iters ? s->min_iters : GX_ASK_NEVER;
}

long gx_mstep_next_ask(const struct gx_mstep *s, long n)
{
    /* A step sorts a copy O(log n) times, yet one of slow iterations ends near its share. */
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
    /* On a busy machine one warm-up iteration can outlast a late step's share. */
    if (n < -s->warmup)
        return -s->warmup;
    if (n == -s->warmup && s->warmup > 1)
        return 1 - s->warmup;
    if (n < 1)
        return 1;
    /* Doubling: one of long iterations ends within twice its share. */
    return 2 * n < first ? 2 * n : first;
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

int gx_mplan_step_visits(const struct gx_mplan *p, size_t i)
{
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        if (i < gr->first || i >= gr->first + gr->n)
            continue;
        if (gr->absent)
            return 0;
        const struct gx_mstep *s = &p->steps[i];
        if (gr->probe >= 0) /* a probe's fewest may be its most: its bound is their best */
            return gr->own || s->precision <= 0 ? 1
                   : p->nvisits < GX_PROBE_VISITS ? p->nvisits : GX_PROBE_VISITS;
        if (s->min_iters >= s->iters) /* exactly --iters: with --vary, shared by the visits */
            return !p->vary ? 1 : s->iters < GX_VARY_MIN_VISITS ? (int)s->iters
                                                                : GX_VARY_MIN_VISITS;
        if (p->visits_asked || p->nvisits <= p->long_visits ||
            gx_mstep_iteration_estimate(s) / (double)(s->window > 1 ? s->window : 1) <
                GX_SHORT_MESSAGE_S)
            return p->nvisits;
        return p->long_visits;
    }
    return 0;
}

struct gx_mstep gx_mstep_visit(const struct gx_mstep *s, int visits, int first)
{
    struct gx_mstep v = *s;
    if (visits <= 1)
        return v;
    long part = (s->iters + visits - 1) / visits;
    v.min_iters = (s->min_iters + visits - 1) / visits;
    /* Exactly --iters (visited with --vary alone): in parts, the first with the remainder. */
    if (s->min_iters >= s->iters && !s->best_of) {
        part = first ? s->iters - (visits - 1) * (s->iters / visits) : s->iters / visits;
        v.min_iters = v.floor_iters = part;
    } else if (s->best_of) {
        v.floor_iters = (s->floor_iters + visits - 1) / visits;
        /* A bound is the best iteration: a cold one cannot raise it. */
        v.warmup = first ? v.warmup : 0;
    } else {
        /* The first visit alone judgeable: a run cut short may keep only it. A later one of
         * long messages finds the path set up and settles within its first iteration: one
         * warms its buffers (short ones keep theirs, which last as long as the settling). */
        if (first) {
            v.min_iters = s->min_iters;
        } else {
            if (gx_mstep_iteration_estimate(s) / (double)(s->window > 1 ? s->window : 1) >=
                GX_SHORT_MESSAGE_S)
                v.warmup = v.warmup < GX_VISIT_WARMUP ? v.warmup : GX_VISIT_WARMUP;
            if (v.min_iters < GX_VISIT_MIN_ITERS)
                v.min_iters = GX_VISIT_MIN_ITERS < s->min_iters ? GX_VISIT_MIN_ITERS
                                                                 : s->min_iters;
        }
        v.floor_iters = v.min_iters;
    }
    v.iters = part > v.min_iters ? part : v.min_iters;
    v.precision = s->precision * sqrt((double)visits);
    v.later = !first;
    if (!first)
        v.ncand = v.ncand > 1 ? 1 : v.ncand;
    v.estimate_s = gx_mstep_iteration_estimate(s) * gx_mstep_runs(&v, v.iters);
    return v;
}

int gx_mgroup_uses_gpu(const struct gx_mgroup *g)
{
    const struct gx_path_ops *ops = gx_mgroup_ops(g);
    return !g->absent && ops &&
           ((ops->flags & GX_PATH_NEEDS_GPU) || gx_mem_has(g->src_kind, GX_MEM_GPU_ACCESSIBLE) ||
            gx_mem_has(g->dst_kind, GX_MEM_GPU_ACCESSIBLE));
}

/* What tells one group's pairs from another's: its round's. */
static uint64_t pairs_key(const struct gx_round *r)
{
    uint64_t h = gx_hash_mix(gx_hash_mix(0, (uint32_t)r->npairs), r->group_of != NULL);
    for (int k = 0; k < r->npairs; k++)
        h = gx_hash_mix(gx_hash_mix(h, (uint32_t)r->pairs[k].a), (uint32_t)r->pairs[k].b);
    return h;
}

struct open_key {
    uint64_t pairs;
    int probe, path, vary;
    size_t g;
};

static int key_order(const struct open_key *a, const struct open_key *b)
{
    if (a->probe != b->probe)
        return a->probe < b->probe ? -1 : 1;
    if (a->path != b->path)
        return a->path < b->path ? -1 : 1;
    if (a->vary != b->vary)
        return a->vary < b->vary ? -1 : 1;
    return a->pairs < b->pairs ? -1 : a->pairs > b->pairs;
}

/* By key, then in the plan's order: a key's first is the group that opens. */
static int open_order(const void *x, const void *y)
{
    const struct open_key *a = x, *b = y;
    int by_key = key_order(a, b);
    return by_key ? by_key : a->g < b->g ? -1 : a->g > b->g;
}

int gx_mplan_mark_opens(struct gx_mplan *p, struct gx_err *err)
{
    struct open_key *k = malloc((p->ngroups ? p->ngroups : 1) * sizeof *k);
    size_t n = 0;
    if (!k)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for %zu groups", p->ngroups);
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        p->groups[g].opens = 0;
        if (!gr->absent)
            k[n++] = (struct open_key){pairs_key(&p->pairs[gr->run].rounds[gr->round]),
                                       gr->probe, gr->path, gr->vary, g};
    }
    qsort(k, n, sizeof *k, open_order);
    for (size_t i = 0; i < n; i++)
        p->groups[k[i].g].opens = i == 0 || key_order(&k[i], &k[i - 1]) != 0;
    free(k);
    return GX_OK;
}

int gx_mplan_uses_gpu(const struct gx_mplan *p)
{
    for (size_t i = 0; i < p->ngroups; i++)
        if (gx_mgroup_uses_gpu(&p->groups[i]))
            return 1;
    return 0;
}

double gx_mstep_paced_iteration(const struct gx_mstep *s)
{
    return s->paced_s > 0 ? s->paced_s : gx_mstep_iteration_estimate(s);
}

double gx_mstep_beside_seconds(const struct gx_mstep *s, int searched)
{
    return s->measure_s * (1 + (searched ? s->ncand : 0));
}

double gx_mstep_paced_seconds(const struct gx_mstep *s)
{
    return s->paced_s > 0 ? s->paced_s * gx_mstep_runs(s, s->iters) +
                                gx_mstep_beside_seconds(s, gx_mstep_search_iters(s) > 0)
                          : s->estimate_s;
}
