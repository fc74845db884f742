/* --dry-run: the GPU steps at the pace its pilot measured. The nominal rates are one GPU's own:
 * two ranks sharing a GPU take turns on it (a message waits for the other's context), and an
 * MPI library may stage a collective on device buffers through host memory; both are far from
 * any nominal rate, and only a measurement says which the machine has. */
#include "config.h"
#include "mplan.h"


/* A result's group that needs a GPU (a ceiling probe's is no result: the pilot measures none). */
static int gpu_group(const struct gx_mgroup *g)
{
    return g->probe < 0 && gx_mgroup_uses_gpu(g);
}

static int same_key(const struct gx_pilot_point *x, const struct gx_mgroup *g, int pattern)
{
    return x->run == g->run && x->path == g->path && x->src_kind == g->src_kind &&
           x->dst_kind == g->dst_kind && x->pattern == pattern;
}

/* The slowest pair's point of the key at the largest size up to lim (below), or at the smallest
 * size above lim (above); NULL where none is. */
static const struct gx_pilot_point *point_near(const struct gx_pilot_point *pts, size_t n,
                                               const struct gx_mgroup *g, int pattern,
                                               size_t lim, int above)
{
    const struct gx_pilot_point *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct gx_pilot_point *x = &pts[i];
        if (!same_key(x, g, pattern) || x->msg_s <= 0 || (above ? x->size <= lim : x->size > lim))
            continue;
        int nearer = best && (above ? x->size < best->size : x->size > best->size);
        if (!best || nearer || (x->size == best->size && x->msg_s > best->msg_s))
            best = x;
    }
    return best;
}

/* A message's seconds at bytes: on the line through the points about it by size (a run's sizes
 * are measured up to its largest: a library may change its algorithm past any size the pilot
 * skipped), beyond the largest along the last two's, no less than at the point below; below the
 * smallest as at the smallest; one point: in proportion above it. */
static int message_seconds(const struct gx_pilot_point *pts, size_t n, const struct gx_mgroup *g,
                           int pattern, size_t bytes, double *out)
{
    const struct gx_pilot_point *lo = point_near(pts, n, g, pattern, bytes, 0);
    const struct gx_pilot_point *hi = point_near(pts, n, g, pattern, bytes, 1);
    if (!lo && !hi)
        return 0;
    if (!lo) {
        *out = hi->msg_s;
        return 1;
    }
    if (!hi) { /* beyond the largest: the last two's line */
        hi = lo;
        lo = hi->size ? point_near(pts, n, g, pattern, hi->size - 1, 0) : NULL;
    }
    if (!lo) /* one point */
        lo = hi;
    double slope = lo != hi ? (hi->msg_s - lo->msg_s) / (double)(hi->size - lo->size)
                            : lo->msg_s / (double)(lo->size ? lo->size : 1);
    if (slope < 0)
        slope = 0;
    double at = lo->msg_s + slope * ((double)bytes - (double)lo->size);
    *out = at > lo->msg_s ? at : lo->msg_s;
    return 1;
}

void gx_mplan_pilot_only(struct gx_mplan *pilot)
{
    for (size_t g = 0; g < pilot->ngroups; g++) {
        struct gx_mgroup *gr = &pilot->groups[g];
        if (gr->round > 0 && gpu_group(gr))
            gr->absent = "the pilot measures a run's first round: the others' pairs at its pace";
        else if (!gpu_group(gr))
            gr->absent = "the pilot measures the steps that need a GPU";
    }
}

double gx_mstep_paced_iteration(const struct gx_mstep *s)
{
    return s->paced_s > 0 ? s->paced_s : gx_mstep_iteration_estimate(s);
}

double gx_mstep_paced_seconds(const struct gx_mstep *s)
{
    return s->paced_s > 0 ? s->paced_s * gx_mstep_runs(s, s->iters) : s->estimate_s;
}

long gx_mplan_pilot_pace(struct gx_mplan *p, const struct gx_pilot_point *pts, size_t n)
{
    long paced = 0;
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        if (!gpu_group(gr))
            continue;
        for (size_t i = gr->first; i < gr->first + gr->n; i++) {
            struct gx_mstep *s = &p->steps[i];
            double msg;
            if (!message_seconds(pts, n, gr, s->pattern, s->size, &msg))
                continue;
            s->paced_s = (double)(s->window > 0 ? s->window : 1) * msg;
            paced++;
        }
    }
    p->pilot_steps = paced;
    return paced;
}
