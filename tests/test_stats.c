#include "stats.h"
#include "tap.h"

#include <math.h>

int main(void)
{
    struct gx_stats s;
    double one[] = {7.5};
    gx_stats_compute(one, 1, &s);
    ok(s.n == 1 && s.min == 7.5 && s.max == 7.5 && s.median == 7.5 && s.p5 == 7.5 &&
           s.p99 == 7.5 && s.stddev == 0 && s.cv == 0 && s.ci_lo == 7.5 && s.ci_hi == 7.5,
       "one sample: every statistic is that sample");

    /* Odd count, unsorted input. Hand-computed: mean 5, sample variance
     * ((4+1+0+1+4)... ) */
    double odd[] = {9, 1, 5, 3, 7};
    gx_stats_compute(odd, 5, &s);
    ok(near(s.mean, 5) && near(s.median, 5) && s.min == 1 && s.max == 9, "odd: mean/median/min/max");
    /* deviations -4,-2,0,2,4 -> ss 40, /4 = 10 */
    ok(near(s.stddev, 3.1622776601683795) && near(s.cv, 0.6324555320336759), "odd: stddev, cv");
    /* p5: h = 4*0.05 = 0.2 -> 1 + 0.2*2 = 1.4; p95: h = 3.8 -> 7 + 0.8*2 = 8.6 */
    ok(near(s.p5, 1.4) && near(s.p95, 8.6), "odd: p5 = 1.4, p95 = 8.6 (%g %g)", s.p5, s.p95);
    ok(odd[0] == 1 && odd[4] == 9, "samples are sorted in place");

    double even[] = {4, 1, 3, 2};
    gx_stats_compute(even, 4, &s);
    /* median between 2 and 3; p99: h = 2.97 -> 3 + 0.97 = 3.97 */
    ok(near(s.median, 2.5) && near(s.mean, 2.5) && near(s.p99, 3.97), "even: median 2.5, p99 3.97");
    /* variance (2.25+.25+.25+2.25)/3 = 5/3 */
    ok(near(s.stddev, 1.2909944487358056), "even: stddev");
    /* n=4: half = 1.96; j = floor(2-1.96) = 0 -> 1; k = ceil(3+1.96) = 5 -> 4 */
    ok(s.ci_lo == 1 && s.ci_hi == 4, "even: CI of the median clamps to the extremes");

    double many[100];
    for (int i = 0; i < 100; i++)
        many[i] = 100 - i; /* 1..100 */
    gx_stats_compute(many, 100, &s);
    /* half = 1.96*10/2 = 9.8; j = floor(50-9.8) = 40; k = ceil(51+9.8) = 61 */
    ok(s.ci_lo == 40 && s.ci_hi == 61, "n=100: CI of the median is [x(40), x(61)] (%g, %g)",
       s.ci_lo, s.ci_hi);
    ok(near(s.median, 50.5) && near(s.p5, 5.95) && near(s.p95, 95.05), "n=100: percentiles");

    /* The stop rule's question: how far the interval reaches from the median, relative to it. */
    ok(near(gx_median_precision(50.5, 40, 61), 10.5 / 50.5) &&
           near(gx_median_precision(100, 99.5, 100.2), 0.005) &&
           isinf(gx_median_precision(0, -1, 1)),
       "precision: the farther end of the interval from the median, relative; none at 0");
    double again[100];
    for (int i = 0; i < 100; i++)
        again[i] = 100 - i;
    ok(near(gx_sorted_precision(again, 100), 10.5 / 50.5) && again[0] == 1,
       "the samples' precision is that of their statistics (and sorts them)");
    double steady[] = {2, 2, 2, 2, 2};
    ok(gx_sorted_precision(steady, 5) == 0, "five equal samples: known exactly");
    long j3, k3, j19, k19, j100, k100;
    gx_median_ci_ranks(3, &j3, &k3);
    gx_median_ci_ranks(19, &j19, &k19);
    gx_median_ci_ranks(100, &j100, &k100);
    ok(j3 == 1 && k3 == 3 && j19 == 5 && k19 == 15 && j100 == 40 && k100 == 61,
       "the median's interval: all of 3 samples, the 5th to the 15th of 19, the 40th to the "
       "61st of 100 (%ld-%ld, %ld-%ld, %ld-%ld)", j3, k3, j19, k19, j100, k100);
    ok(fabs(gx_normal_quantile(0.975) - 1.959964) < 1e-5 && fabs(gx_normal_quantile(0.5)) < 1e-9 &&
           fabs(gx_normal_quantile(0.1) + 1.281552) < 1e-5,
       "the normal quantile: 1.96 at 0.975, 0 at 0.5, -1.2816 at 0.1");
    return tap_done();
}
