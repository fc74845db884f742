/* A step ends when its median is known or its share spent; the initiator decides. */
#ifndef GX_STOP_H
#define GX_STOP_H

struct gx_bench;
struct gx_err;
struct gx_mstep;

/* At mplan.h's boundaries; both sides get *ended and b->window. */
int gx_stop_ask(struct gx_bench *b, const struct gx_mstep *st, long n, int *ended, long *next,
                struct gx_err *err);
/* reached < 0: not computed. The budget gave every step the time of its floor. */
int gx_stop_verdict(const struct gx_mstep *st, long n, double reached, double elapsed_s,
                    double share_s);

/* Negative without a budget. */
double gx_bench_budget_left(const struct gx_bench *b);

#endif
