/* --visits: a step measured in several visits spread over the run, on each rank of its pair:
 * the samples of every visit kept, so that the result is the median of all of them, with each
 * visit's median beside it; later visits measure the chunk and depth the first one chose. */
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
/* A pass begins (--soak): no visit yet. */
void gx_visits_reset(struct gx_visits *v);
/* What a later visit of plan step i measures: the step at the chunk and depth its first visit
 * chose, without another search. */
struct gx_mstep gx_visits_step(const struct gx_visits *v, size_t i, const struct gx_mstep *s);
/* After a visit of step i (its record final: signal and state set): the visit joined to the
 * earlier ones, and rec made the visits' so far: the statistics of all their samples (which
 * b->samples then holds, for --samples), each visit's median and interval, the times and the
 * CPU's waits added up, the worst state, this visit's signal; the first visit's candidates
 * back in b->cand. */
int gx_visits_join(struct gx_visits *v, size_t i, struct gx_bench *b, struct gx_record *rec,
                   struct gx_err *err);

#endif
