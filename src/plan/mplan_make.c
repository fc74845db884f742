/* The measurement plan made: the options expanded into its groups and steps. */
#include "config.h"
#include "mplan.h"
#include "mplan_impl.h"

#include "coll.h"
#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "probe.h"
#include "scheme.h"

#include <stdlib.h>
#include <string.h>

static int round_lacks_gpu(const struct gx_mplan *p, const struct gx_mgroup *g,
                           const int *has_gpu)
{
    const struct gx_round *round = &p->pairs[g->run].rounds[g->round];
    for (int r = 0; r < p->layout->nranks; r++)
        if (!has_gpu[r] && gx_round_find(round, r))
            return 1;
    return 0;
}

static const char *unusable_why(const struct gx_mplan *p, const struct gx_mgroup *g,
                                const int *has_gpu, const char *no_gpu,
                                const char *not_cuda_aware)
{
    const struct gx_path_ops *ops = gx_mgroup_ops(g);
    if (g->absent || !ops)
        return g->absent;
    /* In --dry-run's pilot (NCCL on a shared GPU); a ceiling probe is no path. */
    if (g->path >= 0 && gx_path_setup_failed(g->path)[0])
        return gx_path_setup_failed(g->path);
    if (gx_mgroup_uses_gpu(g) && round_lacks_gpu(p, g, has_gpu))
        return no_gpu;
    if (not_cuda_aware && ops->flags & GX_PATH_MPI_BUFFERS &&
        (gx_mem_has(g->src_kind, GX_MEM_NEEDS_CUDA_AWARE) ||
         gx_mem_has(g->dst_kind, GX_MEM_NEEDS_CUDA_AWARE)))
        return not_cuda_aware;
    return NULL;
}

long gx_mplan_mark_unusable(struct gx_mplan *p, const int *has_gpu, const char *no_gpu,
                            const char *not_cuda_aware)
{
    long steps = 0;
    for (size_t i = 0; i < p->ngroups; i++) {
        struct gx_mgroup *g = &p->groups[i];
        const char *why = g->absent ? NULL : unusable_why(p, g, has_gpu, no_gpu, not_cuda_aware);
        if (why) {
            g->absent = why;
            steps += g->probe >= 0 && !g->own ? 0 : (long)g->n;
        }
    }
    /* A ceiling probe runs where the results it bounds do: the next group of its round. */
    for (size_t i = 0; i < p->ngroups; i++) {
        struct gx_mgroup *g = &p->groups[i];
        const struct gx_mgroup *n = g + 1;
        while (n < p->groups + p->ngroups && n->probe >= 0)
            n++;
        if (g->probe >= 0 && !g->own && !g->absent && n < p->groups + p->ngroups &&
            n->run == g->run && n->round == g->round && n->absent)
            g->absent = "the results it bounds are skipped";
    }
    return steps;
}

/* One per round, or where it is absent one, listed as skipped. */
static int add_groups(struct gx_mplan *p, const struct gx_run_opts *run,
                      const struct gx_path_ops *ops, const char *absent, struct gx_mgroup *g,
                      struct gx_err *err)
{
    g->absent = gx_mplan_absent(p, ops, absent, g);
    if (g->absent)
        return gx_mplan_add_group(p, g, err);
    for (g->round = 0; g->round < p->pairs[g->run].nrounds; g->round++)
        GX_TRY(gx_mplan_add_round(p, run, ops, g, err));
    return GX_OK;
}

static int plan_run(struct gx_mplan *p, const struct gx_options *o, int r, struct gx_err *err)
{
    const struct gx_run_opts *run = &o->runs[r];
    for (int i = 0; i < run->nprobes; i++) {
        const struct gx_probe *pb = &gx_probes[run->probes[i]];
        struct gx_mgroup g = {.run = r, .path = -1, .round = -1, .probe = run->probes[i],
                              .own = 1};
        if (pb->ops) {
            g.src_kind = pb->ops->default_src;
            g.dst_kind = pb->ops->default_dst;
        }
        GX_TRY(add_groups(p, run, pb->ops, pb->absent_why, &g, err));
    }
    if (p->vary && gx_vary_of_group(p->vary->option))
        return gx_mplan_vary_groups(p, o, r, err);
    for (int pi = 0; pi < run->npaths; pi++) {
        const struct gx_path_entry *pe = &gx_paths[run->paths[pi]];
        struct gx_mgroup g = {.run = r, .path = run->paths[pi], .round = -1, .probe = -1,
                              .nccl_comm = o->g.nccl_comm};
        if (pe->ops) {
            g.src_kind = run->mem_src != GX_MEM_DEFAULT ? run->mem_src : pe->ops->default_src;
            g.dst_kind = run->mem_dst != GX_MEM_DEFAULT ? run->mem_dst : pe->ops->default_dst;
        }
        GX_TRY(add_groups(p, run, pe->ops, pe->absent_why, &g, err));
    }
    return GX_OK;
}

/* As many visits as the budget affords, the dry run's estimate within the GX_BUDGET_SLACK it may
 * run over: long steps give theirs up first, down to GX_LEAST_LONG_VISITS (each costs seconds
 * of setup and slow iterations, where a short step's visit costs milliseconds), then short ones
 * down to GX_LEAST_VISITS. */
static void fit_visits(struct gx_mplan *p, const struct gx_options *o)
{
    double budget = (double)o->g.budget * GX_BUDGET_SLACK;
    while (!p->visits_asked && o->g.budget > 0 && gx_mplan_budget_estimate(p, o) > budget) {
        if (p->long_visits > GX_LEAST_LONG_VISITS)
            p->long_visits--;
        else if (p->nvisits > GX_LEAST_VISITS)
            p->nvisits--;
        else
            break;
    }
}

int gx_mplan_make(const struct gx_options *o, const struct gx_layout *layout,
                  struct gx_mplan *p, struct gx_err *err)
{
    memset(p, 0, sizeof *p);
    p->layout = layout;
    p->nvisits = o->g.visits > 0 ? (int)o->g.visits : GX_DEFAULT_VISITS;
    p->visits_asked = o->g.visits > 0;
    p->vary = o->g.vary.option != GX_VARY_NONE ? &o->g.vary : NULL;
    if (p->vary && p->nvisits < GX_VARY_MIN_VISITS)
        p->nvisits = GX_VARY_MIN_VISITS;
    p->long_visits = p->nvisits < GX_LONG_STEP_VISITS ? p->nvisits : GX_LONG_STEP_VISITS;
    int rc = GX_OK;
    for (int r = 0; r < o->nruns && rc == GX_OK; r++) {
        rc = gx_pairs_resolve(o->runs[r].pairs, layout, &p->pairs[r], err);
        if (rc == GX_OK)
            p->nruns = r + 1;
    }
    /* A matrix holds one value per pair: the values of --vary would overwrite each other. */
    for (int r = 0; r < p->nruns && rc == GX_OK && p->vary; r++)
        if (p->pairs[r].scheme && p->pairs[r].scheme->views)
            rc = gx_fail(err, GX_EINPUT, "--vary %s=...: not with --pairs %s, whose matrices hold "
                         "one value per pair (expected a list of pairs, as 0:1,2:3)",
                         gx_vary_names[p->vary->option], o->runs[r].pairs);
    for (int r = 0; r < o->nruns && rc == GX_OK; r++)
        rc = plan_run(p, o, r, err);
    if (rc == GX_OK)
        rc = gx_mplan_plan_probes(p, o, err);
    if (rc == GX_OK)
        rc = gx_mplan_mark_opens(p, err);
    if (rc == GX_OK)
        fit_visits(p, o);
    if (rc == GX_OK)
        p->cuda_start = gx_mplan_uses_gpu(p);
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
