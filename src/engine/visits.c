#include "config.h"
#include "visits.h"

#include <stdlib.h>
#include <string.h>

int gx_visits_init(struct gx_visits *v, size_t nsteps, struct gx_err *err)
{
    v->nsteps = nsteps;
    v->steps = calloc(nsteps ? nsteps : 1, sizeof *v->steps);
    return v->steps ? GX_OK
                    : gx_fail(err, GX_ERUNTIME, "out of host memory for %zu steps' visits", nsteps);
}

void gx_visits_free(struct gx_visits *v)
{
    for (size_t i = 0; v->steps && i < v->nsteps; i++)
        free(v->steps[i].samples);
    free(v->steps);
    memset(v, 0, sizeof *v);
}

void gx_visits_reset(struct gx_visits *v)
{
    for (size_t i = 0; v->steps && i < v->nsteps; i++) {
        v->steps[i].n = 0;
        memset(&v->steps[i].acc, 0, sizeof v->steps[i].acc);
    }
}

struct gx_mstep gx_visits_step(const struct gx_visits *v, size_t i, const struct gx_mstep *s)
{
    struct gx_mstep q = *s;
    const struct gx_record *acc = &v->steps[i].acc;
    if (acc->visits > 0 && s->ncand > 1 && acc->chunk) {
        q.ncand = 1;
        q.chunk = (size_t)acc->chunk;
        q.depth = acc->depth;
    }
    return q;
}

/* The later visit's parts that add up, and what it says now (its state where worse). */
static void add_visit(struct gx_record *acc, const struct gx_record *rec)
{
    acc->elapsed_s += rec->elapsed_s;
    acc->share_s += rec->share_s;
    acc->cpu_wait_s = acc->cpu_wait_s >= 0 && rec->cpu_wait_s >= 0
                          ? acc->cpu_wait_s + rec->cpu_wait_s : -1;
    acc->cpu_window_s += rec->cpu_window_s;
    acc->cpu_waits = acc->cpu_waits >= 0 && rec->cpu_waits >= 0 ? acc->cpu_waits + rec->cpu_waits
                                                                : -1;
    acc->validated += rec->validated;
    if (acc->valid && !rec->valid) {
        acc->valid = 0;
        acc->bad_offset = rec->bad_offset;
        acc->bad_iter = rec->bad_iter;
    }
    if (rec->state > acc->state) {
        acc->state = rec->state;
        memcpy(acc->reason, rec->reason, sizeof acc->reason);
    }
    acc->signal = rec->signal;
    acc->gpu_lost = rec->gpu_lost;
    if (rec->gpu_lost)
        memcpy(acc->reason, rec->reason, sizeof acc->reason);
    acc->ended = rec->ended;
    acc->window = rec->window;
    memcpy(acc->stage_us, rec->stage_us, sizeof acc->stage_us);
}

int gx_visits_join(struct gx_visits *v, size_t i, struct gx_bench *b, struct gx_record *rec,
                   struct gx_err *err)
{
    struct gx_visit_step *vs = &v->steps[i];
    int k = vs->acc.visits;
    if (k >= GX_MAX_VISITS)
        return gx_fail(err, GX_ERUNTIME, "step %zu visited more than %d times", i, GX_MAX_VISITS);
    size_t n = rec->state == GX_STATE_OK ? rec->stats.n : 0;
    if (n) { /* b->samples holds this visit's in iteration order (measure.c) */
        double *room = gx_reserve(vs->samples, &vs->cap, vs->n + n, vs->n + n, sizeof *room);
        if (!room)
            return gx_fail(err, GX_ERUNTIME, "out of host memory for %zu samples", vs->n + n);
        vs->samples = room;
        memcpy(vs->samples + vs->n, b->samples, n * sizeof *vs->samples);
    }
    vs->n += n;
    if (k == 0) {
        vs->acc = *rec;
        memcpy(vs->cand, b->cand, sizeof vs->cand);
    } else {
        add_visit(&vs->acc, rec);
    }
    vs->acc.visit_median[k] = n ? rec->stats.median : 0;
    vs->acc.visits = k + 1;
    if (vs->n) {
        if (gx_bench_samples_room(b, vs->n) != 0)
            return gx_fail(err, GX_ERUNTIME, "out of host memory for %zu samples", vs->n);
        memcpy(b->samples, vs->samples, vs->n * sizeof *b->samples);
        memcpy(b->sorted, vs->samples, vs->n * sizeof *b->sorted);
        gx_stats_compute(b->sorted, vs->n, &vs->acc.stats);
    }
    memcpy(b->cand, vs->cand, sizeof b->cand);
    *rec = vs->acc;
    return GX_OK;
}
