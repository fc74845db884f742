/* A step's stop rule, asked between timed iterations at batch boundaries: the step ends when
 * its median is known to its precision or when its share of the budget is spent, whichever
 * comes first, after its fewest iterations; otherwise at its most. The pair's initiator
 * decides (its timings are the ones reported) and tells its peer in one small message outside
 * the timed iterations. */
#ifndef GX_STOP_H
#define GX_STOP_H

struct gx_bench;
struct gx_err;
struct gx_mstep;

/* Where the rule is asked, gx_mstep_first_ask and gx_mstep_next_ask (mplan.h): --dry-run
 * counts a step's iterations by the same boundaries; under a budget (b->share_s > 0) also
 * before the fewest, gx_mstep_next_timed_ask, where only the time ends a step. */
/* After n timed iterations (n is the boundary the last call returned in *next; negative within
 * the warm-up): the initiator decides from b->samples and b->step_t0 + b->share_s, tells its
 * peer, and both get *ended (GX_ENDED_ITERATIONS: go on, to *next) and b->window (a window
 * of round trips shrunk to what the share left affords, before the fewest iterations). Sorts a
 * copy of the samples, never them. */
int gx_stop_ask(struct gx_bench *b, const struct gx_mstep *st, long n, int *ended, long *next,
                struct gx_err *err);
/* The rule itself, from what the initiator knows after n timed iterations (n <= 0: within the
 * warm-up): the relative precision they reached (negative: not computed), the seconds since the
 * warm-up began and the step's share (0: no budget). Nothing ends a step before its floor (a
 * result's fewest, GX_MIN_ITERS: it needs an interval; a probe's GX_PROBE_MIN_ITERS), the
 * precision not before its fewest: the budget gave every step at least the time of its floor
 * (gx_budget_share). Only --timeout and a stop signal cut one shorter. */
int gx_stop_verdict(const struct gx_mstep *st, long n, double reached, double elapsed_s,
                    double share_s);

/* The budget's seconds left now, as the sink's events carry it: negative without a budget. */
double gx_bench_budget_left(const struct gx_bench *b);

#endif
