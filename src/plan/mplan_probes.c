/* Each ceiling point, measured in its round just before the first step that needs it. */
#include "config.h"
#include "mplan.h"
#include "mplan_impl.h"

#include "path.h"
#include "pattern.h"
#include "probe.h"

#include <stdlib.h>
#include <string.h>

struct probe_point {
    int probe, family;
    size_t size;
    long window; /* the largest of the results it bounds */
    int run, round;
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

/* The same bytes in flight as the step's iteration, in pieces of `at`. */
static long probe_window(const struct gx_mstep *st, size_t at)
{
    double w = (double)st->window * (double)st->size / (double)(at ? at : 1);
    return w >= GX_WINDOW_MAX ? GX_WINDOW_MAX : w <= 1 ? 1 : (long)(w + 0.999);
}

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
            /* Measured smaller: one message, whose size makes the handshake negligible. */
            size_t there = gx_ceil_measured_size(rule->stages[k].kind, at);
            struct probe_point pt = {.probe = probe, .family = family, .size = there,
                                     .window = there < at ? 1 : probe_window(st, at)};
            GX_TRY(point_add(pts, &pt, err));
        }
    }
    return GX_OK;
}

/* The rule that holds for each pair, or with --ceilings full every rule. */
static int group_points(const struct gx_mplan *p, const struct gx_options *o,
                        const struct gx_mgroup *g, struct probe_points *pts, struct gx_err *err)
{
    const struct gx_path_ops *ops = gx_paths[g->path].ops;
    const struct gx_round *round = &p->pairs[g->run].rounds[g->round];
    int full = o->runs[g->run].ceilings == GX_CEILINGS_FULL;
    for (size_t k = g->first; k < g->first + g->n; k++) {
        const struct gx_mstep *st = &p->steps[k];
        int family = gx_pattern_table[st->pattern]->family;
        if (full) {
            for (int i = 0; i < ops->bounds[family].n; i++)
                GX_TRY(rule_points(pts, &ops->bounds[family].rules[i], st, err));
            continue;
        }
        /* Whether a pair shares a GPU is unknown before the ranks take theirs: both rules. */
        for (int i = 0; i < round->npairs; i++) {
            const struct gx_pair *pr = &round->pairs[i];
            int same = p->layout->node_of[pr->a] == p->layout->node_of[pr->b];
            const struct gx_bound_rule *shared = gx_bound_rule(
                ops->bounds, family, gx_bound_conditions(g->src_kind, g->dst_kind, same, same));
            const struct gx_bound_rule *apart = gx_bound_rule(
                ops->bounds, family, gx_bound_conditions(g->src_kind, g->dst_kind, same, 0));
            if (shared)
                GX_TRY(rule_points(pts, shared, st, err));
            if (apart && apart != shared)
                GX_TRY(rule_points(pts, apart, st, err));
        }
    }
    return GX_OK;
}

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
                                 .size = pts->v[i].size, .best_of = 1};
            if (s.pattern < 0 || !pb->ops)
                continue;
            /* A large --iters would make a latency probe millions of round trips. */
            long most = gx_probe_iters(s.size);
            s.iters = run->iters > 0 && run->iters < most ? run->iters : most;
            gx_mplan_set_stop_rule(run, &s);
            /* A few iterations on a busy machine miss the best one. */
            if (run->iters <= 0 && s.iters / 5 > s.min_iters)
                s.min_iters = s.iters / 5;
            if (run->iters <= 0 && s.min_iters < GX_PROBE_MIN_ITERS)
                s.min_iters = s.iters < GX_PROBE_MIN_ITERS ? s.iters : GX_PROBE_MIN_ITERS;
            s.floor_iters = run->iters <= 0 && s.min_iters > GX_PROBE_MIN_ITERS ? GX_PROBE_MIN_ITERS
                                                                                 : s.min_iters;
            s.warmup = run->warmup >= 0 ? run->warmup : gx_default_warmup(s.floor_iters);
            s.window = gx_pattern_table[s.pattern]->uses_window ? pts->v[i].window : 1;
            GX_TRY(gx_mplan_add_step(p, &s, err));
        }
        g.n = p->nsteps - g.first;
        if (pb->ops)
            gx_mplan_estimate_group(p, gx_mplan_pace_of(pb->ops, g.src_kind, g.dst_kind), g.first);
        GX_TRY(gx_mplan_add_group(p, &g, err));
    }
    return GX_OK;
}

/* The points no earlier step of its path group measures; `all` is room to reuse. */
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
        if (k < planned->n)
            continue;
        rc = point_add(planned, &pt, err);
        if (rc == GX_OK)
            rc = point_add(fresh, &pt, err);
    }
    return rc;
}

static int add_slice(struct gx_mplan *p, const struct gx_mgroup *g, size_t first, size_t n,
                     struct gx_err *err)
{
    struct gx_mgroup slice = *g;
    slice.first = first;
    slice.n = n;
    return gx_mplan_add_group(p, &slice, err);
}

/* Just before the step: the load changes within a minute, and a probe measured up front, or
 * only before an earlier path group, bounded results of a quieter moment. */
int gx_mplan_plan_probes(struct gx_mplan *p, const struct gx_options *o, struct gx_err *err)
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
        /* No probe bounds a collective (ceiling.h): a round of groups has none. */
        if (!o->runs[g->run].ceilings || g->absent || g->round < 0 || g->probe >= 0 ||
            p->pairs[g->run].rounds[g->round].group_of) {
            rc = gx_mplan_add_group(p, g, err);
            continue;
        }
        size_t from = g->first;
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
