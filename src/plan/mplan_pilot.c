/* --dry-run: the GPU steps and the collectives at the pace its pilot measured. The nominal rates
 * are one GPU's own: two ranks sharing a GPU take turns on it (a message waits for the other's
 * context), and an MPI library may stage a collective on device buffers through host memory;
 * a collective on host memory runs its library's algorithm (a reduction's arithmetic, its own
 * buffers), not a transfer between two ranks. All are far from any nominal rate, and only a
 * measurement says which the machine has. */
#include "config.h"
#include "mplan.h"
#include "pattern.h"

#include <stdint.h>

/* A result's group that needs a GPU or runs collectives (a ceiling probe's is no result: the
 * pilot measures none). */
static int piloted(const struct gx_mplan *p, const struct gx_mgroup *g)
{
    if (g->probe >= 0 || g->absent)
        return 0;
    if (gx_mgroup_uses_gpu(g))
        return 1;
    for (size_t i = g->first; i < g->first + g->n; i++)
        if (gx_pattern_table[p->steps[i].pattern]->coll != GX_COLL_NONE)
            return 1;
    return 0;
}

int gx_mplan_needs_pilot(const struct gx_mplan *p)
{
    for (size_t g = 0; g < p->ngroups; g++)
        if (piloted(p, &p->groups[g]))
            return 1;
    return 0;
}

/* A step of an explicit chunk and depth at its own (a chunk sweep's run spans 5x between them);
 * one whose chunk is searched at the chunk its pilot chose (its chunk and depth are the last
 * candidate's, the whole message, which the pilot's search seldom chose). */
static int same_key(const struct gx_pilot_point *x, const struct gx_mgroup *g,
                    const struct gx_mstep *s)
{
    return x->run == g->run && x->path == g->path && x->src_kind == g->src_kind &&
           x->dst_kind == g->dst_kind && x->pattern == s->pattern &&
           (s->ncand > 1 || !s->chunk || (x->chunk == s->chunk && x->depth == s->depth));
}

/* The slowest pair's point of the key at the largest size up to lim (below), or at the smallest
 * size above lim (above); NULL where none is. */
static const struct gx_pilot_point *point_near(const struct gx_pilot_point *pts, size_t n,
                                               const struct gx_mgroup *g,
                                               const struct gx_mstep *s, size_t lim, int above)
{
    const struct gx_pilot_point *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct gx_pilot_point *x = &pts[i];
        if (!same_key(x, g, s) || x->msg_s <= 0 || (above ? x->size <= lim : x->size > lim))
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
                           const struct gx_mstep *s, double *out)
{
    size_t bytes = s->size;
    const struct gx_pilot_point *lo = point_near(pts, n, g, s, bytes, 0);
    const struct gx_pilot_point *hi = point_near(pts, n, g, s, bytes, 1);
    if (!lo && !hi)
        return 0;
    if (!lo) {
        *out = hi->msg_s;
        return 1;
    }
    if (!hi) { /* beyond the largest: the last two's line */
        hi = lo;
        lo = hi->size ? point_near(pts, n, g, s, hi->size - 1, 0) : NULL;
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

/* The search's weight at the step's size: a candidate's mean, the larger of the points' about
 * it (a candidate's spread grows with the message: a small chunk's cost is per chunk), times the
 * step's candidates (fewer at 1 GiB than at 16 MiB). */
static double search_weight(const struct gx_pilot_point *pts, size_t n, const struct gx_mgroup *g,
                            const struct gx_mstep *s)
{
    const struct gx_pilot_point *lo = point_near(pts, n, g, s, s->size, 0);
    const struct gx_pilot_point *hi = point_near(pts, n, g, s, s->size, 1);
    double a = lo && lo->tries ? lo->search_weight / lo->tries : 0;
    double b = hi && hi->tries ? hi->search_weight / hi->tries : 0;
    return (a > b ? a : b) * s->ncand;
}

/* A point's seconds beside its iterations, no more than a larger size's of its key: a library
 * that connects lazily (NCCL's channels at a communicator's first collective, its peers' at the
 * first send) spends a second once, in the first point measured, the smallest; a line through
 * it counted that second at every visit of every size below the next point. */
static double beside_at(const struct gx_pilot_point *pts, size_t n, const struct gx_mgroup *g,
                        const struct gx_mstep *s, const struct gx_pilot_point *x)
{
    double least = x->measure_s;
    for (size_t i = 0; i < n; i++)
        if (same_key(&pts[i], g, s) && pts[i].msg_s > 0 && pts[i].size > x->size &&
            pts[i].measure_s < least)
            least = pts[i].measure_s;
    return least;
}

/* A measurement's seconds beside its iterations at the step's size, on the line through the
 * points about it, beyond the largest as at the largest (the points' own preparing and checks
 * are noisy, and a line through them overcounted the unified paths' largest steps). */
static void measure_seconds(const struct gx_pilot_point *pts, size_t n, const struct gx_mgroup *g,
                            struct gx_mstep *s)
{
    const struct gx_pilot_point *lo = point_near(pts, n, g, s, s->size, 0);
    const struct gx_pilot_point *hi = point_near(pts, n, g, s, s->size, 1);
    const struct gx_pilot_point *one = lo ? lo : hi;
    if (!one)
        return;
    s->measure_s = beside_at(pts, n, g, s, one);
    if (!lo || !hi || hi->size <= lo->size)
        return;
    double a = s->measure_s, b = beside_at(pts, n, g, s, hi);
    s->measure_s = a + (b - a) * (double)(s->size - lo->size) / (double)(hi->size - lo->size);
}

/* A run's smallest size and its largest up to GX_PILOT_MOST, a line through them by size (where
 * it has none above a smallest below GX_PILOT_MOST, its next up to GX_PILOT_LARGE: a small
 * message's time is mostly its latency, and one point alone scales a message in proportion,
 * which past 16 MiB a transfer's time is); a run of collectives also its largest up to
 * GX_PILOT_LARGE: a library may change a collective's algorithm past 16 MiB (Open MPI 4.1 staged
 * allreduce on device buffers at 1.2 GB/s at 16 MiB, at 0.4 from 64 MiB), where a transfer
 * between two ranks is past its protocols' thresholds. */
void gx_mplan_pilot_sizes(struct gx_size_list *sizes, int coll)
{
    size_t lo = SIZE_MAX, mid = 0, hi = 0, next = SIZE_MAX;
    for (size_t i = 0; i < sizes->n; i++)
        lo = sizes->v[i] < lo ? sizes->v[i] : lo;
    for (size_t i = 0; i < sizes->n; i++) {
        size_t v = sizes->v[i];
        hi = coll && v <= GX_PILOT_LARGE && v > hi ? v : hi;
        mid = v <= GX_PILOT_MOST && v > mid ? v : mid;
        next = v > lo && v < next ? v : next;
    }
    if (mid <= lo && lo < GX_PILOT_MOST && next <= GX_PILOT_LARGE)
        mid = next;
    sizes->n = 0;
    if (lo != SIZE_MAX)
        sizes->v[sizes->n++] = lo;
    if (mid > lo)
        sizes->v[sizes->n++] = mid;
    if (hi > lo && hi > mid)
        sizes->v[sizes->n++] = hi;
}

void gx_mplan_pilot_only(struct gx_mplan *pilot)
{
    for (size_t g = 0; g < pilot->ngroups; g++) {
        struct gx_mgroup *gr = &pilot->groups[g];
        if (gr->round > 0 && piloted(pilot, gr))
            gr->absent = "the pilot measures a run's first round: the others' pairs at its pace";
        else if (!piloted(pilot, gr))
            gr->absent = "the pilot measures the steps that need a GPU, and collectives";
    }
}

long gx_mplan_pilot_pace(struct gx_mplan *p, const struct gx_pilot_point *pts, size_t n)
{
    long paced = 0;
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        if (!piloted(p, gr))
            continue;
        for (size_t i = gr->first; i < gr->first + gr->n; i++) {
            struct gx_mstep *s = &p->steps[i];
            double msg;
            if (!message_seconds(pts, n, gr, s, &msg))
                continue;
            s->paced_s = (double)(s->window > 0 ? s->window : 1) * msg;
            s->search_weight = s->ncand > 1 ? search_weight(pts, n, gr, s) : 0;
            measure_seconds(pts, n, gr, s);
            paced++;
        }
    }
    p->pilot_steps = paced;
    return paced;
}
