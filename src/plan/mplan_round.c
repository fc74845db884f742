/* A group of one round: its steps, each pattern and size (and chunk, and each value of a step's
 * --vary) planned with its defaults, below both the plan (mplan_make.c) and a group's --vary
 * (mplan_vary.c), which add rounds through it. */
#include "config.h"
#include "mplan.h"
#include "mplan_impl.h"

#include "coll.h"
#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "scheme.h"

#include <stdio.h>
#include <string.h>

void gx_mplan_vary_apply(const struct gx_vary *vary, int k, struct gx_run_opts *run)
{
    const struct gx_vary_value *v = &vary->v[k];
    switch (vary->option) {
    case GX_VARY_CHUNK:
        run->chunk_mode = v->chunk_mode;
        run->nchunks = v->chunk_mode == GX_CHUNK_GIVEN;
        run->chunks[0] = v->chunk;
        break;
    case GX_VARY_DEPTH: /* as --depth: a chunk of its own unless one is given */
        if (run->chunk_mode == GX_CHUNK_BEST)
            run->chunk_mode = GX_CHUNK_GIVEN;
        run->ndepths = 1;
        run->depths[0] = v->depth;
        break;
    case GX_VARY_WINDOW: run->window = v->window; break;
    case GX_VARY_MEM:
        run->mem_src = v->mem_src;
        run->mem_dst = v->mem_dst;
        break;
    default: break; /* path and nccl-comm are the group's */
    }
}

/* Why the path cannot take a step's --vary values, or NULL. */
static const char *vary_refused(const struct gx_mplan *p, const struct gx_path_ops *ops,
                                const struct gx_mgroup *g)
{
    int option = p->vary->option;
    if (option != GX_VARY_CHUNK && option != GX_VARY_DEPTH)
        return NULL;
    if (!(ops->flags & GX_PATH_CHUNKED))
        return option == GX_VARY_CHUNK
                   ? "--vary chunk: this path does not pipeline (chunk is taken by staged, "
                     "staged-mpi, p2p, zerocopy and unified-prefetch)"
                   : "--vary depth: this path does not pipeline (depth is taken by staged, "
                     "staged-mpi, p2p, zerocopy and unified-prefetch)";
    if (p->pairs[g->run].scheme && p->pairs[g->run].scheme->groups)
        return option == GX_VARY_CHUNK ? "--vary chunk: a collective is not cut in chunks"
                                       : "--vary depth: a collective is not cut in chunks";
    return NULL;
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
    return p->vary && !gx_vary_of_group(p->vary->option) ? vary_refused(p, ops, g)
                                                         : NULL;
}
