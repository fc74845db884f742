/* --visits: every visit's samples kept, so that the result is the median of all of them. */
#ifndef GX_VISITS_H
#define GX_VISITS_H

#include "measure.h"

struct gx_visit_step {
    double *samples;       /* this rank's, visit after visit, in iteration order */
    size_t n, cap;
    struct gx_record acc;  /* the visits so far, together (acc.visits of them) */
    struct gx_auto_cand cand[GX_AUTO_MAX_CANDIDATES]; /* the first visit's search */
};

struct gx_visits {
    struct gx_visit_step *steps; /* one per step of the plan */
    size_t nsteps;
};

int gx_visits_init(struct gx_visits *v, size_t nsteps, struct gx_err *err);
void gx_visits_free(struct gx_visits *v);
void gx_visits_reset(struct gx_visits *v);
/* Later visits measure what the first chose, without another search. */
struct gx_mstep gx_visits_step(const struct gx_visits *v, size_t i, const struct gx_mstep *s);
/* rec made the visits' so far: all their samples (in b->samples), the worst state. */
int gx_visits_join(struct gx_visits *v, size_t i, struct gx_bench *b, struct gx_record *rec,
                   struct gx_err *err);

#endif
