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

void gx_stats_compute(double *samples, size_t n, struct gx_stats *out);
/* The ranks (1-based) of the order statistics that bound it. */
void gx_median_ci_ranks(size_t n, long *j, long *k);
void gx_median_ci(const double *sorted, size_t n, double *lo, double *hi);
/* The standard normal distribution's quantile of p (0 < p < 1). */
double gx_normal_quantile(double p);
double gx_median_precision(double median, double lo, double hi);
double gx_sort_median(double *v, size_t n);
double gx_sorted_precision(double *samples, size_t n);
/* qsort's order of doubles: ascending. */
int gx_cmp_double(const void *a, const void *b);

#endif
