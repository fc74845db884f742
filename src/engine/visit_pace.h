/* --visits under a budget: a pass's later visits run only as far as the budget left affords
 * them. What a later visit of a step takes at the least (its buffers, data check, warm-up and
 * fewest iterations) is known from its first visit on this machine, which the plan's estimates
 * (nominal rates) are not: where the ranks share a GPU, or the unified paths fault page by page,
 * each later visit's fewest iterations outlast their share and the run outlasts its budget. */
#ifndef GX_VISIT_PACE_H
#define GX_VISIT_PACE_H

#include "measure.h"
#include "mplan.h"

struct gx_visit_pace {
    double *later_s; /* per step, then per group (its buffers and endpoint beside its steps) */
    size_t nsteps, ngroups;
};

int gx_visit_pace_init(struct gx_visit_pace *p, size_t nsteps, size_t ngroups,
                       struct gx_err *err);
void gx_visit_pace_free(struct gx_visit_pace *p);
/* A pass begins: nothing measured yet. */
void gx_visit_pace_reset(struct gx_visit_pace *p);
/* After step i's first visit on a rank of its pair: what its later visit `later` (a part of
 * the step, gx_mstep_visit) takes at the least, at the pace of the bench's last measurement. */
void gx_visit_pace_step(struct gx_visit_pace *p, size_t i, const struct gx_bench *b,
                        const struct gx_mstep *later);
/* After group g's first visit: its seconds outside its steps. */
void gx_visit_pace_group(struct gx_visit_pace *p, size_t g, double seconds);
/* The last visit, from visit `from` on, that `left` seconds afford with every visit before it
 * (from - 1: not even that one), where visits_of[i] is step i's visits and skipped[g] a group
 * that will not run; *need gets what the visits from `from` to the last planned would take. */
int gx_visit_pace_last(const struct gx_visit_pace *p, const struct gx_mplan *plan,
                       const int *visits_of, const unsigned char *skipped, int from, double left,
                       double *need);

#endif
