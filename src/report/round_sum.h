/* A round's aggregate: for a round of several pairs at once (all-disjoint, all-concurrent,
 * rails, nodes, intra), the sum over its pairs of their bandwidth and message rate, as
 * osu_mbw_mr reports for its pairs. Each pair's median is its own steady rate while the others
 * run, so the sum is what the fabric carried in the round. */
#ifndef GX_ROUND_SUM_H
#define GX_ROUND_SUM_H

#include "result.h"

#include <cjson/cJSON.h>
#include <stdio.h>

struct gx_round_sum {
    int round, nrounds;  /* this round of the run's rounds (0 first) */
    int npairs, nok;     /* pairs of the round; pairs measured */
    double gbps;         /* bandwidth patterns: sum of the pairs' GB/s */
    double msg_rate;     /* messages per second, summed over the pairs */
    int bandwidth;       /* the pattern is of the bandwidth family */
    struct gx_result first; /* the round's first result: its run, path, pattern, size... */
};

void gx_round_sum_begin(struct gx_round_sum *s, int round, int nrounds, int npairs);
/* One pair's result of the round: a measured one adds its rate. */
void gx_round_sum_add(struct gx_round_sum *s, const struct gx_result *r);
/* The round's entry of the report's "rounds", or NULL when out of memory. */
cJSON *gx_round_sum_json(const struct gx_round_sum *s);
/* "# round 3 of 6: 4 pairs at once, aggregate 12.3 GB/s, 1.2e+06 messages/s". */
void gx_round_sum_print(FILE *out, const struct gx_round_sum *s);

#endif
