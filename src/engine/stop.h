/* A step's stop rule: it ends when its median is known to its precision or its share is spent.
 * The initiator decides (its timings are reported) and tells its peer outside the timing. */
#ifndef GX_STOP_H
#define GX_STOP_H

#include "measure.h"

/* At mplan.h's boundaries; both sides get *ended and b->window. */
int gx_stop_ask(struct gx_bench *b, const struct gx_mstep *st, long n, int *ended, long *next,
                struct gx_err *err);
/* reached < 0: not computed. Nothing but --timeout or a signal ends a step before its floor:
 * the budget gave every step that much time. */
int gx_stop_verdict(const struct gx_mstep *st, long n, double reached, double elapsed_s,
                    double share_s);

/* Negative without a budget. */
double gx_bench_budget_left(const struct gx_bench *b);

#endif
