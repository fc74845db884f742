#include "config.h"
#include "visit_pace.h"

#include <stdlib.h>
#include <string.h>

int gx_visit_pace_init(struct gx_visit_pace *p, size_t nsteps, size_t ngroups,
                       struct gx_err *err)
{
    p->nsteps = nsteps;
    p->ngroups = ngroups;
    p->later_s = calloc(nsteps + ngroups ? nsteps + ngroups : 1, sizeof *p->later_s);
    return p->later_s ? GX_OK
                      : gx_fail(err, GX_ERUNTIME, "out of host memory for %zu steps' pace",
                                nsteps);
}

void gx_visit_pace_free(struct gx_visit_pace *p)
{
    free(p->later_s);
    memset(p, 0, sizeof *p);
}

void gx_visit_pace_reset(struct gx_visit_pace *p)
{
    if (p->later_s)
        memset(p->later_s, 0, (p->nsteps + p->ngroups) * sizeof *p->later_s);
}

void gx_visit_pace_step(struct gx_visit_pace *p, size_t i, const struct gx_bench *b,
                        const struct gx_mstep *later)
{
    if (i >= p->nsteps || b->iters_done <= 0)
        return;
    /* Before the iterations: the buffers, the path's preparation, the data check; then
     * iterations at the pace this visit's took (its search's candidates are not measured
     * again). */
    double before = b->iter_t0 - b->measure_t0;
    double each = (b->iter_end - b->iter_t0) / (double)b->iters_done;
    double s = before + each * (double)(later->warmup + later->floor_iters);
    p->later_s[i] = s > 0 ? s : 0;
}

void gx_visit_pace_group(struct gx_visit_pace *p, size_t g, double seconds)
{
    if (g < p->ngroups)
        p->later_s[p->nsteps + g] = seconds > 0 ? seconds : 0;
}

/* What visit v takes: every group with a step visited then, its steps visited then. */
static double visit_seconds(const struct gx_visit_pace *p, const struct gx_mplan *plan,
                            const int *visits_of, const unsigned char *skipped, int v)
{
    double s = 0;
    for (size_t g = 0; g < plan->ngroups && g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &plan->groups[g];
        int visited = 0;
        if (skipped[g])
            continue;
        for (size_t i = gr->first; i < gr->first + gr->n && i < p->nsteps; i++)
            if (visits_of[i] >= v) {
                visited = 1;
                s += p->later_s[i];
            }
        s += visited ? p->later_s[p->nsteps + g] : 0;
    }
    return s;
}

int gx_visit_pace_last(const struct gx_visit_pace *p, const struct gx_mplan *plan,
                       const int *visits_of, const unsigned char *skipped, int from, double left,
                       double *need)
{
    int last = from - 1;
    double sum = 0;
    *need = 0;
    for (int v = from; v <= plan->nvisits; v++) {
        sum += visit_seconds(p, plan, visits_of, skipped, v);
        if (sum <= left && last == v - 1)
            last = v;
    }
    *need = sum;
    return last;
}
