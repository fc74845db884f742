/* A step's records to rank 0, its results to the sink; a stop one rank saw, said to all. */
#include "config.h"
#include "collect.h"

#include "mem.h"
#include "noise.h"
#include "pairs.h"
#include "path.h"
#include "pattern.h"
#include "probe.h"
#include "rating.h"

#include <stdlib.h>
#include <string.h>

static void merge(const struct gx_record *ra, const struct gx_record *rb, struct gx_result *res)
{
    const struct gx_record *worst = rb->state > ra->state ? rb : ra;
    res->state = (enum gx_state)worst->state;
    res->reason = worst->reason;
    res->stats = ra->stats;
    res->validated = ra->validated + rb->validated;
    res->valid = ra->valid && rb->valid;
    const struct gx_record *bad = !ra->valid ? ra : rb;
    res->bad_offset = res->valid ? -1 : bad->bad_offset;
    res->bad_iter = res->valid ? -1 : (long)bad->bad_iter;
}

static int gather_samples(struct gx_bench *b,
                          const struct gx_record *mine, struct gx_collect *c, struct gx_err *err)
{
    const struct gx_job *job = b->job;
    int n = mine->state == GX_STATE_OK && b->pair && b->ep.initiator ? (int)mine->stats.n : 0;
    GX_MPI_TRY(err, MPI_Gather(&n, 1, MPI_INT, c->counts, 1, MPI_INT, 0, job->comm));
    if (job->rank == 0) {
        long total = 0;
        for (int r = 0; r < job->size; r++) {
            c->displs[r] = (int)total;
            total += c->counts[r];
        }
        double *s = realloc(c->samples, (size_t)(total ? total : 1) * sizeof *s);
        if (!s)
            return gx_fail(err, GX_ERUNTIME, "out of host memory for samples");
        c->samples = s;
    }
    GX_MPI_TRY(err, MPI_Gatherv(b->samples, n, MPI_DOUBLE, c->samples, c->counts, c->displs,
                                MPI_DOUBLE, 0, job->comm));
    return GX_OK;
}

/* The initiators' candidates to rank 0, freed by gx_collect_step. */
static int gather_cands(struct gx_bench *b, const struct gx_mstep *ax, const struct gx_round *round,
                        const struct gx_record *mine, struct gx_collect *c, struct gx_err *err)
{
    const struct gx_job *job = b->job;
    int n = b->pair && b->ep.initiator && mine->chunk ? mine->ncand : 0, rc = GX_OK;
    if (job->rank == 0) {
        size_t most = (size_t)(round->npairs > 0 ? round->npairs : 1) * (size_t)ax->ncand;
        c->cand_at = calloc((size_t)job->size, sizeof *c->cand_at);
        c->cand_n = calloc((size_t)job->size, sizeof *c->cand_n);
        c->cands = malloc(most * sizeof *c->cands);
        if (!c->cand_at || !c->cand_n || !c->cands)
            rc = gx_fail(err, GX_ERUNTIME, "out of host memory for %zu candidates", most);
    }
    GX_TRY(gx_agree(job->comm, rc, err)); /* rank 0 short of memory: nobody gathers */
    GX_MPI_TRY(err, MPI_Gather(&n, 1, MPI_INT, c->cand_n, 1, MPI_INT, 0, job->comm));
    for (int r = 0, at = 0; job->rank == 0 && r < job->size; r++) {
        c->cand_at[r] = at;
        at += c->cand_n[r];
    }
    MPI_Datatype cand;
    GX_MPI_TRY(err, MPI_Type_contiguous((int)sizeof *b->cand, MPI_BYTE, &cand));
    int mrc = MPI_Type_commit(&cand);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Gatherv(b->cand, n, cand, c->cands, c->cand_n, c->cand_at, cand, 0, job->comm);
    int frc = MPI_Type_free(&cand);
    GX_MPI_TRY(err, mrc != MPI_SUCCESS ? mrc : frc);
    return GX_OK;
}

static void free_cands(struct gx_collect *c)
{
    free(c->cands);
    free(c->cand_at);
    free(c->cand_n);
    c->cands = NULL;
    c->cand_at = c->cand_n = NULL;
}

static double cpu_wait(const struct gx_record *r)
{
    return r->cpu_wait_s >= 0 && r->cpu_window_s > 0 ? r->cpu_wait_s / r->cpu_window_s : -1;
}

/* Negative when neither kernel says. */
static double pair_cpu_wait(const struct gx_record *ra, const struct gx_record *rb)
{
    double w = cpu_wait(ra) > cpu_wait(rb) ? cpu_wait(ra) : cpu_wait(rb);
    return w > 1 ? 1 : w; /* the clocks' skew over a short step */
}

static long pair_cpu_waits(const struct gx_record *ra, const struct gx_record *rb)
{
    return ra->cpu_waits >= 0 && rb->cpu_waits >= 0 ? ra->cpu_waits + rb->cpu_waits : -1;
}

/* A group's result: members (c->ranks) from its round, its first rank's record. */
static void result_of(const struct gx_bench *b, const struct gx_mstep *ax,
                      const struct gx_pair *p, int members, const struct gx_collect *c,
                      struct gx_result *res, char *ceiling_what, size_t len)
{
    const struct gx_job *job = b->job;
    const struct gx_path_ops *ops = gx_paths[b->path].ops;
    const struct gx_record *ra = &c->recs[p->a];
    *res = (struct gx_result){
        .run_name = b->run->name,
        .path = gx_paths[b->path].name,
        .path_kind = b->path,
        .src_mem = gx_mem_name(b->ep.src_kind),
        .dst_mem = gx_mem_name(b->ep.dst_kind),
        .src_kind = b->ep.src_kind,
        .dst_kind = b->ep.dst_kind,
        .pattern = gx_pattern_table[ax->pattern]->name,
        .pattern_kind = ax->pattern,
        .family = gx_pattern_table[ax->pattern]->family,
        .unit = gx_pattern_table[ax->pattern]->unit,
        .a = p->a,
        .b = p->b,
        .same_node = job->node_of[p->a] == job->node_of[p->b],
        .size = ax->size,
        .chunk = ax->chunk,
        .depth = ax->depth,
        .chunk_choice = b->run->chunk_mode,
        .iters = ra->state == GX_STATE_OK ? (long)ra->stats.n : ax->iters,
        .warmup = ax->warmup,
        .window = ra->state == GX_STATE_OK && ra->window > 0 ? ra->window : ax->window,
        .ended = ra->ended,
        .precision = ax->precision,
        .share_s = ra->share_s,
        .elapsed_s = ra->elapsed_s,
        .step = b->step,
        .visits = ra->visits > 0 ? ra->visits : 1,
        .visits_planned = b->visits_planned > 0 ? b->visits_planned : 1,
        .last = b->last,
    };
    for (int v = 0; v < ra->visits && v < GX_MAX_VISITS; v++)
        res->visit_median[v] = ra->visit_median[v];
    if (ax->vary) {
        res->vary_option = gx_vary_names[job->g->vary.option];
        res->vary_value = job->g->vary.v[ax->vary - 1].text;
    }
    const struct gx_pattern_ops *pat = gx_pattern_table[ax->pattern];
    if (pat->coll != GX_COLL_NONE) {
        res->coll_op = gx_coll_table[pat->coll].name;
        res->coll_in_place = pat->in_place;
        res->coll_ranks = members;
        res->members = c->ranks;
        res->coll_bytes = gx_coll_bytes(pat->coll, members, ax->size);
        res->coll_factor = gx_coll_busbw_factor(pat->coll, members);
        for (int i = 0; i < members; i++)
            res->same_node &= job->node_of[c->ranks[i]] == job->node_of[p->a];
    }
    merge(ra, &c->recs[p->b], res);
    if (ops->stages[0] && res->state == GX_STATE_OK) {
        res->stage_names = ops->stages;
        memcpy(res->stage_us[0], ra->stage_us, sizeof res->stage_us[0]);
        memcpy(res->stage_us[1], c->recs[p->b].stage_us, sizeof res->stage_us[1]);
    }
    res->gpu_timed = ra->gpu_timed;
    res->same_gpu = ra->same_gpu;
    res->l2_resident = ra->l2_resident > c->recs[p->b].l2_resident ? ra->l2_resident
                                                                    : c->recs[p->b].l2_resident;
    res->via = ra->via[0] ? ra->via : NULL;
    if (ra->chunk) { /* chosen among candidates */
        res->chunk = (size_t)ra->chunk;
        res->depth = ra->depth;
        res->cands = c->cands && c->cand_n[p->a] ? c->cands + c->cand_at[p->a] : NULL;
        res->ncands = res->cands ? c->cand_n[p->a] : 0;
    }
    if (res->state == GX_STATE_OK) {
        res->noise = gx_noise_judge(&res->stats, gx_pattern_table[ax->pattern]->lower_is_better,
                                    pair_cpu_wait(ra, &c->recs[p->b]),
                                    pair_cpu_waits(ra, &c->recs[p->b]));
        gx_noise_visits(&res->noise, ra->visit_median, ra->visits);
    }
    gx_ceiling_apply(b->run->ceilings ? b->ceilings : NULL, ops, res, ceiling_what, len);
    gx_line_apply(job, ops, res);
    if (job->g->samples && c->counts[p->a]) {
        res->samples = c->samples + c->displs[p->a];
        res->nsamples = (size_t)c->counts[p->a];
    }
}

/* The ceiling is the initiator's best iteration. */
static int keep_probe_points(struct gx_bench *b, const struct gx_mstep *ax,
                             const struct gx_round *round, const struct gx_collect *c,
                             struct gx_err *err)
{
    const struct gx_probe *pb = &gx_probes[b->probe];
    const struct gx_pattern_ops *pat = gx_pattern_table[ax->pattern];
    enum gx_ceil_kind kind = pb->kind[pat->family];
    for (int i = 0; i < round->npairs && kind != GX_CEIL_NONE; i++) {
        const struct gx_pair *p = &round->pairs[i];
        struct gx_result merged;
        merge(&c->recs[p->a], &c->recs[p->b], &merged);
        struct gx_ceil_point pt = {.size = ax->size};
        const char *absent = NULL;
        if (merged.state == GX_STATE_OK) {
            const struct gx_stats *st = &merged.stats;
            pt.best = pat->lower_is_better ? st->min : st->max;
            pt.median = st->median;
            pt.min = st->min;
            pt.max = st->max;
            pt.iters = (int32_t)st->n;
            pt.elapsed_s = c->recs[p->a].elapsed_s;
            pt.noise = gx_noise_judge(st, pat->lower_is_better,
                                      pair_cpu_wait(&c->recs[p->a], &c->recs[p->b]),
                                      pair_cpu_waits(&c->recs[p->a], &c->recs[p->b]));
        } else {
            absent = merged.reason && merged.reason[0] ? merged.reason : "not measured";
        }
        GX_TRY(gx_ceilings_put(b->ceilings, kind, p->a, pb->per_gpu ? -1 : p->b,
                               pb->ops->what, &pt, absent, err));
    }
    return GX_OK;
}

int gx_collect_step(struct gx_bench *b, const struct gx_mstep *ax, const struct gx_mgroup *g,
                    const struct gx_round *round, struct gx_record *mine, struct gx_collect *c,
                    const struct gx_sink_door *sink, struct gx_err *err)
{
    const struct gx_job *job = b->job;
    int mpirc = MPI_Gather(mine, (int)sizeof *mine, MPI_BYTE, c->recs, (int)sizeof *mine,
                           MPI_BYTE, 0, job->comm);
    if (mpirc != MPI_SUCCESS) {
        /* Rank 0 survived a rank that did not answer: what was gathered so far stands. */
        gx_fail_mpi(err, mpirc, "MPI_Gather", __FILE__, __LINE__);
        err->rc = GX_EINCOMPLETE;
        return gx_wrap(err, "gathering the results of %zu bytes (a rank died?)", ax->size);
    }
    if (job->g->samples)
        GX_TRY(gather_samples(b, mine, c, err));
    int rc = ax->ncand > 1 && b->probe < 0 ? gather_cands(b, ax, round, mine, c, err) : GX_OK;
    if (rc != GX_OK || job->rank != 0) {
        free_cands(c);
        return rc;
    }
    if (b->probe >= 0)
        return b->ceilings ? keep_probe_points(b, ax, round, c, err) : GX_OK;
    sink->ops->round_begin(sink->ctx, g->round, b->nrounds, round->npairs);
    for (int i = 0; i < round->npairs && rc == GX_OK; i++) {
        int members = round->group_of ? gx_round_members(round, job->size, i, c->ranks) : 0;
        result_of(b, ax, &round->pairs[i], members, c, &c->res, c->ceiling_what,
                  sizeof c->ceiling_what);
        rc = sink->ops->result(sink->ctx, &c->res, err);
    }
    free_cands(c);
    return rc == GX_OK ? sink->ops->round_end(sink->ctx, err) : rc;
}

/* Every rank stops here, so that the report is written and MPI finalized as in any run. */
int gx_stop_if_signalled(const struct gx_job *job, const struct gx_collect *c,
                         struct gx_harness_out *ho, struct gx_err *err)
{
    struct {
        int32_t signal, rank, lost_rank;
        char lost_why[sizeof c->recs->reason];
    } stop = {0, -1, -1, ""};
    if (job->rank == 0)
        for (int r = 0; r < job->size; r++) {
            if (c->recs[r].signal && !stop.signal) {
                stop.signal = c->recs[r].signal;
                stop.rank = r;
            }
            if (c->recs[r].gpu_lost && stop.lost_rank < 0) {
                stop.lost_rank = r;
                memcpy(stop.lost_why, c->recs[r].reason, sizeof stop.lost_why);
            }
        }
    GX_MPI_TRY(err, MPI_Bcast(&stop, (int)sizeof stop, MPI_BYTE, 0, job->comm));
    if (!stop.signal && stop.lost_rank < 0)
        return GX_OK;
    ho->stopped_together = 1;
    if (stop.signal) {
        ho->signal = stop.signal;
        ho->signal_rank = stop.rank;
        return gx_fail(err, GX_EINTERRUPTED, "interrupted by %s on rank %d",
                       gx_signal_name(stop.signal), stop.rank);
    }
    ho->gpu_lost_rank = stop.lost_rank;
    stop.lost_why[sizeof stop.lost_why - 1] = '\0';
    return gx_fail(err, GX_ERUNTIME, "rank %d's GPU context is unusable, every rank stopped: "
                   "%s", stop.lost_rank, stop.lost_why);
}
