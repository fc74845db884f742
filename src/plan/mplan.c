/* The measurement plan's core: the options expanded into its groups and steps. */
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

static int needs_gpu(const struct gx_mgroup *g)
{
    const struct gx_path_ops *ops = gx_mgroup_ops(g);
    /* Every kind of memory but pageable host memory is CUDA's (gx_mem_usable). */
    return (ops->flags & GX_PATH_NEEDS_GPU) || g->src_kind != GX_MEM_PAGEABLE ||
           g->dst_kind != GX_MEM_PAGEABLE;
}

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
    if (needs_gpu(g) && round_lacks_gpu(p, g, has_gpu))
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

static long pick(long given, long dflt)
{
    return given > 0 ? given : dflt;
}

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

static long step_window(const struct gx_run_opts *run, const struct gx_path_ops *ops,
                        struct gx_pace pc, int pattern, size_t bytes)
{
    /* An MPI collective alone between barriers, as osu's collectives time one. */
    if (gx_pattern_table[pattern]->coll != GX_COLL_NONE && ops->flags & GX_PATH_MPI_BUFFERS)
        return pick(run->window, 1);
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

/* The round's groups' sizes, each once; 0 where they are more than max kinds. */
static int group_sizes(const struct gx_round *round, int nranks, int *sizes, int max)
{
    int nsizes = 0;
    for (int i = 0; i < round->npairs; i++) {
        int n = 0, k = 0;
        for (int r = round->pairs[i].a; r <= round->pairs[i].b && r < nranks; r++)
            n += round->group_of[r] == i;
        while (k < nsizes && sizes[k] != n)
            k++;
        if (k == max)
            return 0;
        if (k == nsizes)
            sizes[nsizes++] = n;
    }
    return nsizes;
}

/* A collective's size that rounds to an earlier one's bytes in every group (whole words a rank,
 * one at least: gx_coll_bytes) measures the same: one step, said once. */
static int collapses(struct gx_mplan *p, const int *nmembers, int nsizes,
                     const struct gx_run_opts *run, int pattern, size_t si)
{
    enum gx_coll c = gx_pattern_table[pattern]->coll;
    for (size_t k = 0; k < si; k++) {
        int same = nsizes > 0;
        for (int i = 0; same && i < nsizes; i++)
            same = gx_coll_bytes(c, nmembers[i], run->sizes.v[k]) ==
                   gx_coll_bytes(c, nmembers[i], run->sizes.v[si]);
        if (!same)
            continue;
        if (!p->collapsed[0])
            snprintf(p->collapsed, sizeof p->collapsed, "%s of size %zu moves the %zu bytes "
                     "that size %zu does over %d ranks (a collective's size rounds down to whole "
                     "elements, one at least): measured once", gx_pattern_table[pattern]->name,
                     run->sizes.v[si], gx_coll_bytes(c, nmembers[0], run->sizes.v[si]),
                     run->sizes.v[k], nmembers[0]);
        return 1;
    }
    return 0;
}

/* The run's steps of one pattern and size (and chunks), where run holds the value planned. */
static int add_steps_of(struct gx_mplan *p, const struct gx_run_opts *run,
                        const struct gx_path_ops *ops, struct gx_pace pc, int groups,
                        struct gx_mstep *s, struct gx_err *err)
{
    s->iters = pick(run->iters, gx_default_iters(s->size));
    gx_mplan_set_stop_rule(run, s);
    s->window = step_window(run, ops, pc, s->pattern, s->size);
    s->warmup = run->warmup >= 0 ? run->warmup
                                 : gx_default_warmup_settling(s->min_iters, gx_path_settle_s(ops),
                                                              gx_mplan_iteration_seconds(pc, s));
    if (ops->flags & GX_PATH_CHUNKED && !groups)
        return add_chunked(p, run, ops, s, err);
    return gx_mplan_add_step(p, s, err);
}

/* A step's --vary: each value's steps of the group after the last's, so that a table's block
 * holds one value. */
static int add_steps(struct gx_mplan *p, const struct gx_run_opts *run,
                     const struct gx_path_ops *ops, struct gx_mgroup *g, struct gx_err *err)
{
    g->first = p->nsteps;
    struct gx_pace pc = gx_mplan_pace_of(ops, g->src_kind, g->dst_kind);
    const struct gx_round *round = &p->pairs[g->run].rounds[g->round];
    int groups = round->group_of != NULL, nmembers[8];
    int nsizes = groups ? group_sizes(round, p->layout ? p->layout->nranks : 0, nmembers,
                                      (int)GX_ARRAY_LEN(nmembers))
                        : 0;
    int nvalues = p->vary && !gx_vary_of_group(p->vary->option) ? p->vary->n : 1;
    for (int k = 0; k < nvalues; k++) {
        struct gx_run_opts one = *run;
        if (nvalues > 1)
            gx_mplan_vary_apply(p->vary, k, &one);
        for (int pi = 0; pi < one.npatterns; pi++)
            for (size_t si = 0; si < one.sizes.n; si++) {
                /* The collectives in rounds of groups, the others between pairs (options_check). */
                if ((gx_pattern_table[one.patterns[pi]]->coll != GX_COLL_NONE) != groups ||
                    (groups && collapses(p, nmembers, nsizes, &one, one.patterns[pi], si)))
                    continue;
                struct gx_mstep s = {.pattern = one.patterns[pi], .size = one.sizes.v[si],
                                     .vary = nvalues > 1 ? k + 1 : g->vary};
                GX_TRY(add_steps_of(p, &one, ops, pc, groups, &s, err));
            }
    }
    g->n = p->nsteps - g->first;
    gx_mplan_estimate_group(p, pc, g->first);
    return GX_OK;
}

int gx_mplan_add_round(struct gx_mplan *p, const struct gx_run_opts *run,
                       const struct gx_path_ops *ops, struct gx_mgroup *g, struct gx_err *err)
{
    GX_TRY(add_steps(p, run, ops, g, err));
    return gx_mplan_add_group(p, g, err);
}

const char *gx_mplan_absent(const struct gx_mplan *p, const struct gx_path_ops *ops,
                            const char *absent, const struct gx_mgroup *g)
{
    if (!ops)
        return absent;
    if (p->pairs[g->run].scheme && p->pairs[g->run].scheme->groups && !ops->collective)
        return "this path has no collectives (the collectives run on nccl, mpi and host)";
    return p->vary && !gx_vary_of_group(p->vary->option) ? gx_mplan_vary_refused(p, ops, g)
                                                         : NULL;
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
