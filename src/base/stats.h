/* Order statistics of one measurement's samples. */
#ifndef GX_STATS_H
#define GX_STATS_H

#include "gx.h"

struct gx_stats {
    uint64_t n;
    double min, max, mean, median, p5, p95, p99;
    double stddev; /* sample standard deviation (n - 1); 0 for one sample */
    double cv;     /* stddev / mean */
    double ci_lo, ci_hi; /* 95% confidence interval of the median (order statistics) */
};

/* Sorts samples in place. n >= 1. */
void gx_stats_compute(double *samples, size_t n, struct gx_stats *out);
/* Linear interpolation between closest ranks of sorted samples (p in [0,1]). */
double gx_percentile(const double *sorted, size_t n, double p);

#endif
