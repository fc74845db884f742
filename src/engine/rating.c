#include "config.h"
#include "rating.h"

#include "coll_bound.h"
#include "links_store.h"
#include "mem.h"
#include "mplan.h"
#include "pattern.h"
#include "topo.h"

#include <stdio.h>

/* 0 or larger than the message: the whole message is one chunk. */
static size_t chunk_of(const struct gx_result *res)
{
    return res->chunk == 0 || res->chunk > res->size ? res->size : res->chunk;
}

/* Every probe runs at the result's own pair. */
static int stages_of(const struct gx_bound_rule *rule, int a, int b, struct gx_ceil_stage *st)
{
    for (int i = 0; i < rule->nstages; i++)
        st[i] = (struct gx_ceil_stage){rule->stages[i].name, rule->stages[i].kind, a, b};
    return rule->nstages;
}

/* A ceiling that is no bound rates nothing: no efficiency, ceiling_what says why. */
static void unsound(struct gx_result *res)
{
    res->ceiling_unsound = 1;
    res->ceiling = 0;
    res->efficiency = 0;
    res->ceiling_exceeded = 0;
    res->ceiling_within = 0;
}

void gx_ceiling_apply(const struct gx_ceilings *c, const struct gx_path_ops *ops,
                      struct gx_result *res, char *what, size_t len)
{
    static const char *const family_names[GX_FAMILY_COUNT] = {"bandwidth", "both-ways",
                                                              "latency"};
    if (!c || !ops || res->state != GX_STATE_OK)
        return;
    what[0] = '\0';
    res->ceiling = 0;
    res->efficiency = 0;
    res->ceiling_what = what;
    const struct gx_bound_rule *rule =
        gx_bound_rule(ops->bounds, res->family,
                      gx_bound_conditions(res->src_kind, res->dst_kind, res->same_node,
                                          res->same_gpu));
    if (!rule || rule->nstages == 0) {
        snprintf(what, len, "%s", rule && rule->none ? rule->none : "");
        if (!what[0] && res->family < GX_FAMILY_COUNT)
            snprintf(what, len, "no %s ceiling for %s", family_names[res->family], ops->name);
        else if (!what[0])
            snprintf(what, len, "no ceiling for a collective: none measures the group's links at "
                     "once");
        return;
    }
    struct gx_ceil_stage st[GX_MAX_BOUND_STAGES];
    int n = stages_of(rule, res->a, res->b, st);
    struct gx_ceil_range range = {0};
    double ceil = gx_ceil_slowest(c, st, n, rule->at_chunk ? chunk_of(res) : res->size,
                                  what, len, &range);
    if (!(ceil > 0))
        return;
    double med = res->stats.median;
    int latency = res->family == GX_FAMILY_LATENCY;
    res->ceiling = ceil;
    res->ceiling_range = range;
    res->efficiency = latency ? (med > 0 ? ceil / med : 0) : med / ceil;
    /* A median whose whole interval lies beyond the probe's best is no bound; one reaching it is
     * at the ceiling (docs/ceilings.md). Too few samples have no interval: both may be slices. */
    int beyond = res->stats.n >= GX_MIN_ITERS &&
                 (latency ? res->stats.ci_hi < ceil : res->stats.ci_lo > ceil);
    res->ceiling_exceeded = res->efficiency > 1.0 && beyond;
    res->ceiling_within = res->efficiency > 1.0 && !beyond;
    /* The probe's point first: that is what a reader can act on. */
    if (res->l2_resident > 0 &&
        (range.kind == GX_CEIL_PEER || range.kind == GX_CEIL_PEER_BIDIR)) {
        snprintf(what, len, "ceiling unsound: the window's messages reuse one buffer pair on "
                 "the GPU both ranks share, and at %zu bytes it stays in the GPU's %.0f MiB L2 "
                 "(as osu_bw's does), while the peer-copy probe copies distinct data for each "
                 "message: no probe bounds a cache-resident rate", res->size,
                 res->l2_resident / 1048576.0);
        unsound(res);
    } else if (gx_ceil_unsound(c, &range, &res->noise, what, len)) {
        unsound(res);
    } else if (res->efficiency > 1.0 && res->stats.n < GX_MIN_ITERS) {
        /* No interval, so neither beyond the ceiling nor at it: one sample is never within. */
        snprintf(what, len, "ceiling unjudged: the median is %.1f%% of %s %d->%d's best, from "
                 "%zu timed iteration%s, too few for an interval to tell above the ceiling "
                 "from at it", 100 * res->efficiency,
                 gx_ceil_kind_name((enum gx_ceil_kind)range.kind), range.a, range.b,
                 (size_t)res->stats.n, res->stats.n == 1 ? "" : "s");
        unsound(res);
    } else if (res->efficiency > GX_CEIL_BEYOND) {
        snprintf(what, len, "ceiling unsound: the median is %.1fx the best of %s %d->%d's %d "
                 "iterations at this size: its probe missed what the layer below can do",
                 res->efficiency, gx_ceil_kind_name((enum gx_ceil_kind)range.kind), range.a,
                 range.b, range.iters);
        unsound(res);
    }
}

void gx_line_apply(const struct gx_job *job, const struct gx_path_ops *ops,
                   struct gx_result *res)
{
    res->line_gbs = res->line_share = 0;
    res->line_exceeded = 0;
    res->line_kind = -1;
    res->line_what[0] = '\0';
    res->coll_expected = 0;
    res->coll_rule[0] = '\0';
    if (res->state != GX_STATE_OK || res->family == GX_FAMILY_LATENCY)
        return;
    const struct gx_topo_rank *t = job->topo;
    struct gx_route r, hop;
    /* A collective's busbw is what each link of its ring carries: the narrowest one's rate. */
    int group = res->coll_ranks > 0, n = group ? res->coll_ranks : 1;
    for (int i = 0; i < n; i++) {
        int from = group ? res->members[i] : res->a;
        int to = group ? res->members[(i + 1) % n] : res->b;
        if (gx_link_store_route(t ? t->all_facts : NULL, from, to,
                                gx_mem_has(res->src_kind, GX_MEM_GPU_RESIDENT),
                                gx_mem_has(res->dst_kind, GX_MEM_GPU_RESIDENT),
                                ops && (ops->flags & GX_PATH_VIA_HOST), &hop) != 0) {
            snprintf(res->line_what, sizeof res->line_what, "no link facts");
            return;
        }
        if (!(hop.line_gbs > 0)) {
            snprintf(res->line_what, sizeof res->line_what, "%s", hop.why);
            return;
        }
        if (i == 0 || hop.line_gbs < r.line_gbs)
            r = hop;
    }
    /* Both ways at once: each direction has the line rate to itself, unless both ends' copies
     * cross one link, whose each direction then carries both messages. */
    int ways = res->family == GX_FAMILY_BOTH_WAYS && !r.one_link ? 2 : 1;
    res->line_gbs = r.line_gbs * ways;
    if (group) { /* across nodes some collectives are bound otherwise than by the ring */
        struct gx_coll_bound b;
        gx_coll_bound(gx_pattern_table[res->pattern_kind]->coll, t->all_facts, res->members, n,
                      r.line_gbs, &b);
        res->line_gbs = res->coll_expected = b.gbs;
        snprintf(res->coll_rule, sizeof res->coll_rule, "%s", b.rule);
    }
    res->line_share = res->stats.median / res->line_gbs;
    res->line_exceeded = res->line_share > 1.0;
    res->line_kind = (int)r.hops[0].kind;
    gx_route_text(&r, res->line_what, sizeof res->line_what);
}
