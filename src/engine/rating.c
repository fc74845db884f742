#include "config.h"
#include "rating.h"

#include "mem.h"

#include <stdio.h>

unsigned gx_bound_conditions(int src_kind, int dst_kind, int same_node)
{
    int kinds[2] = {src_kind, dst_kind};
    unsigned holds = same_node ? GX_IF_SAME_NODE : GX_IF_OTHER_NODE;
    for (int i = 0; i < 2; i++) {
        if (gx_mem_on_gpu(kinds[i]))
            holds |= GX_IF_GPU_MEM;
        /* Pageable: the CPU's alone, neither registered with the GPU nor migrating (an MPI
         * moves it by other means than pinned memory, at another speed: issue 24). */
        if (gx_mem_has(kinds[i], GX_MEM_HOST_ADDRESSABLE) &&
            !gx_mem_has(kinds[i], GX_MEM_GPU_ACCESSIBLE))
            holds |= GX_IF_PAGEABLE;
    }
    return holds;
}

/* The rule's stages for the pair (a, b), as gx_ceil_slowest takes them. */
static int stages_of(const struct gx_bound_rule *rule, int a, int b, struct gx_ceil_stage *st)
{
    for (int i = 0; i < rule->nstages; i++) {
        const struct gx_stage_decl *d = &rule->stages[i];
        st[i] = (struct gx_ceil_stage){d->name, d->kind, d->at == GX_AT_PEER ? b : a,
                                       d->at == GX_AT_PAIR ? b : -1, d->scale};
    }
    return rule->nstages;
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
                      gx_bound_conditions(res->src_kind, res->dst_kind, res->same_node));
    if (!rule || rule->nstages == 0) {
        snprintf(what, len, "%s", rule && rule->none ? rule->none : "");
        if (!what[0])
            snprintf(what, len, "no %s ceiling for %s", family_names[res->family], ops->name);
        return;
    }
    struct gx_ceil_stage st[GX_MAX_BOUND_STAGES];
    int n = stages_of(rule, res->a, res->b, st);
    struct gx_ceil_range range = {0};
    double ceil = gx_ceil_slowest(c, st, n, rule->at_chunk ? gx_ceil_chunk(res) : res->size,
                                  what, len, &range);
    if (!(ceil > 0))
        return;
    double med = res->stats.median;
    int latency = res->family == GX_FAMILY_LATENCY;
    res->ceiling = ceil;
    res->ceiling_range = range;
    res->efficiency = latency ? (med > 0 ? ceil / med : 0) : med / ceil;
    /* Beyond the ceiling's own spread by the result's own too (the 95% interval of its median,
     * where the stats have one): not noise around a bound but no bound at all here. A median
     * alone crossed the fastest of a handful of repeats of the same operation by chance (the
     * host path against MPI between the hosts: 3 to 11 of 46 results on a loaded CPU machine,
     * issue 24). */
    double near_end = latency ? (res->stats.ci_hi > 0 ? res->stats.ci_hi : med)
                              : (res->stats.ci_lo > 0 ? res->stats.ci_lo : med);
    res->ceiling_exceeded = latency ? near_end < range.lo : near_end > range.hi;
}
