#include "config.h"
#include "calib_plan.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "rating.h"

#include <stdlib.h>
#include <string.h>

static int set_add(struct gx_size_set *s, size_t v, struct gx_err *err)
{
    size_t i = 0;
    while (i < s->n && s->v[i] < v)
        i++;
    if (i < s->n && s->v[i] == v)
        return GX_OK;
    size_t *grown = gx_grow(s->v, &s->cap, s->n, 16, sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory planning the calibration");
    s->v = grown;
    memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof *s->v);
    s->v[i] = v;
    s->n++;
    return GX_OK;
}

static int pair_add(struct gx_cal_plan *p, int a, int b, unsigned need, struct gx_err *err)
{
    for (int i = 0; i < p->npairs; i++)
        if (p->pairs[i].a == a && p->pairs[i].b == b) {
            p->pairs[i].need |= need;
            return GX_OK;
        }
    struct gx_cal_pair *grown = gx_grow(p->pairs, &p->cap, (size_t)p->npairs, 8, sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory planning the calibration");
    p->pairs = grown;
    p->pairs[p->npairs++] = (struct gx_cal_pair){a, b, need};
    return GX_OK;
}

void gx_cal_plan_free(struct gx_cal_plan *p)
{
    for (int i = 0; i < NSETS; i++)
        free(p->sets[i].v);
    free(p->gpu_need);
    free(p->pairs);
    memset(p, 0, sizeof *p);
}

const struct gx_cal_task gx_cal_tasks[GX_CAL_TASKS] = {
    {GX_CAL_COPY, 3, {GX_CEIL_H2D, GX_CEIL_D2H, GX_CEIL_COPY_BIDIR},
     {SET_COPY, SET_COPY, SET_COPY_BI}, "H2D and D2H copies"},
    {GX_CAL_MAPPED, 3, {GX_CEIL_MAPPED_WRITE, GX_CEIL_MAPPED_READ, GX_CEIL_MAPPED_BIDIR},
     {SET_MAPPED, SET_MAPPED, SET_MAPPED_BI}, "kernels writing and reading mapped host memory"},
    {GX_CAL_MANAGED, 3, {GX_CEIL_PREFETCH_HOST, GX_CEIL_PREFETCH_GPU, GX_CEIL_FAULT_IN},
     {SET_MANAGED, SET_MANAGED, SET_MANAGED}, "managed memory's prefetches and fault-in"},
    {GX_CAL_PEER, 2, {GX_CEIL_PEER, GX_CEIL_PEER_BIDIR}, {SET_PEER, SET_PEER_BI}, "peer copies"},
    {GX_CAL_MPI, 10,
     {GX_CEIL_MPI_BW, GX_CEIL_MPI_BIBW, GX_CEIL_MPI_LAT, GX_CEIL_MPI_MANAGED_BW,
      GX_CEIL_MPI_MANAGED_BIBW, GX_CEIL_MPI_MIGRATED_BW, GX_CEIL_MPI_MIGRATED_BIBW,
      GX_CEIL_MPI_PINNED_BW, GX_CEIL_MPI_PINNED_BIBW, GX_CEIL_MPI_PINNED_LAT},
     {SET_MPI, SET_MPI_BI, SET_LAT, SET_MPI_UM, SET_MPI_UM_BI, SET_MPI_MIG, SET_MPI_MIG_BI,
      SET_MPI_PIN, SET_MPI_PIN_BI, SET_LAT_PIN},
     "MPI host to host"},
};

const struct gx_cal_task *gx_cal_task(unsigned task)
{
    for (int t = 0; t < GX_CAL_TASKS; t++)
        if (gx_cal_tasks[t].task == task)
            return &gx_cal_tasks[t];
    return NULL;
}

int gx_cal_task_sized(const struct gx_cal_plan *p, const struct gx_cal_task *t)
{
    for (int k = 0; k < t->ncurves; k++)
        if (p->sets[t->sets[k]].n)
            return 1;
    return 0;
}

/* The task that measures `kind`, and the set it measures it at. */
static const struct gx_cal_task *task_of(enum gx_ceil_kind kind, int *set)
{
    for (int t = 0; t < GX_CAL_TASKS; t++)
        for (int k = 0; k < gx_cal_tasks[t].ncurves; k++)
            if (gx_cal_tasks[t].kinds[k] == kind) {
                *set = gx_cal_tasks[t].sets[k];
                return &gx_cal_tasks[t];
            }
    return NULL;
}

/* The sizes one rule of a step of pair (a, b) names into the sets of its stages: the message
 * or, for a rule at the chunk, each chunk the step may use. A per-GPU stage marks its task on
 * the rank whose GPU it is; a pair's tasks go to *need. */
static int plan_rule(struct gx_cal_plan *p, const struct gx_bound_rule *rule,
                     const struct gx_mstep *st, int a, int b, unsigned *need, struct gx_err *err)
{
    int n = rule->at_chunk && st->ncand > 1 ? st->ncand : 1;
    for (int i = 0; i < n; i++) {
        /* As the path cuts the message: no chunk, or one larger, is the whole. */
        size_t c = !rule->at_chunk ? 0 : st->ncand > 1 ? st->cand_chunk[i] : st->chunk;
        size_t at = c == 0 || c > st->size ? st->size : c;
        for (int k = 0; k < rule->nstages; k++) {
            const struct gx_stage_decl *d = &rule->stages[k];
            int set = 0;
            const struct gx_cal_task *t = task_of(d->kind, &set);
            if (!t)
                return gx_fail(err, GX_ERUNTIME, "no calibration task measures ceiling %s",
                               gx_ceil_kind_name(d->kind));
            GX_TRY(set_add(&p->sets[set], at, err));
            if (gx_ceil_kind_per_gpu(d->kind))
                p->gpu_need[d->at == GX_AT_PEER ? b : a] |= t->task;
            else
                *need |= t->task;
            p->need |= t->task;
        }
    }
    return GX_OK;
}

/* What one step of one pair will be rated against: the path's rule that holds for it, or with
 * --calibrate full every rule of the step's family. */
static int plan_step(struct gx_cal_plan *p, const struct gx_path_ops *ops,
                     const struct gx_mgroup *g, const struct gx_mstep *st,
                     const struct gx_pair *pr, int same_node, int full, unsigned *need,
                     struct gx_err *err)
{
    int family = gx_pattern_table[st->pattern]->family;
    if (full) {
        for (int k = 0; k < ops->bounds[family].n; k++)
            GX_TRY(plan_rule(p, &ops->bounds[family].rules[k], st, pr->a, pr->b, need, err));
        return GX_OK;
    }
    const struct gx_bound_rule *rule =
        gx_bound_rule(ops->bounds, family,
                      gx_bound_conditions(g->src_kind, g->dst_kind, same_node));
    return rule ? plan_rule(p, rule, st, pr->a, pr->b, need, err) : GX_OK;
}

int gx_cal_plan_make(const struct gx_job *job, const struct gx_options *o,
                     const struct gx_mplan *mp, struct gx_cal_plan *p, struct gx_err *err)
{
    memset(p, 0, sizeof *p);
    if (!(p->gpu_need = calloc((size_t)job->size, sizeof *p->gpu_need)))
        return gx_fail(err, GX_ERUNTIME, "out of host memory planning the calibration");
    for (size_t gi = 0; gi < mp->ngroups; gi++) {
        const struct gx_mgroup *g = &mp->groups[gi];
        if (g->absent || !o->runs[g->run].calibrate)
            continue;
        const struct gx_path_ops *ops = gx_paths[g->path].ops;
        const struct gx_round *round = &mp->pairs[g->run].rounds[g->round];
        for (int i = 0; i < round->npairs; i++) {
            const struct gx_pair *pr = &round->pairs[i];
            int same = job->node_of[pr->a] == job->node_of[pr->b];
            unsigned need = 0;
            for (size_t k = g->first; k < g->first + g->n; k++)
                GX_TRY(plan_step(p, ops, g, &mp->steps[k], pr, same,
                                 o->runs[g->run].calibrate == GX_CALIBRATE_FULL, &need, err));
            if (need)
                GX_TRY(pair_add(p, pr->a, pr->b, need, err));
        }
    }
    /* The reference latency of the pair, whatever the runs' latency sizes. */
    if (p->need & GX_CAL_MPI)
        GX_TRY(set_add(&p->sets[SET_LAT], 8, err));
    return GX_OK;
}

int gx_cal_plan_tasks(const struct gx_job *job, const struct gx_cal_plan *p)
{
    int n = 0;
    for (int g = 0; g < job->size; g++)
        for (int t = 0; t < GX_CAL_GPU_TASKS; t++)
            n += (p->gpu_need[g] & gx_cal_tasks[t].task) && gx_cal_task_sized(p, &gx_cal_tasks[t]);
    for (int i = 0; i < p->npairs; i++)
        for (int t = GX_CAL_GPU_TASKS; t < GX_CAL_TASKS; t++)
            n += (p->pairs[i].need & gx_cal_tasks[t].task) &&
                 gx_cal_task_sized(p, &gx_cal_tasks[t]);
    return n;
}
