/* A round of several pairs at once: the sum of their bandwidth and message rate, as osu_mbw_mr
 * reports. Each pair's median is its steady rate while the others run, so the sum is what the
 * fabric carried. */
#ifndef GX_ROUND_SUM_H
#define GX_ROUND_SUM_H

#include "result.h"

#include <cjson/cJSON.h>
#include <stdio.h>

struct gx_round_sum {
    int round, nrounds;  /* 0 first */
    int npairs, nok;     /* pairs of the round; pairs measured */
    double gbps;
    double msg_rate;
    int bandwidth;       /* the pattern is of the bandwidth family */
    struct gx_result first;
};

void gx_round_sum_begin(struct gx_round_sum *s, int round, int nrounds, int npairs);
void gx_round_sum_add(struct gx_round_sum *s, const struct gx_result *r);
cJSON *gx_round_sum_json(const struct gx_round_sum *s);
/* "# round 3 of 6: 4 pairs at once, aggregate 12.3 GB/s, 1.2e+06 messages/s". */
void gx_round_sum_print(FILE *out, const struct gx_round_sum *s);

#endif
