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
/* The 95% interval of the median of sorted samples, by order statistics. n >= 1. */
void gx_median_ci(const double *sorted, size_t n, double *lo, double *hi);
/* How precisely a median is known: the farther end of its interval from it, relative to it
 * (0.01: within 1%); infinite for a median of 0. */
double gx_median_precision(double median, double lo, double hi);
/* Sorts v in place and returns the median of its n numbers (n >= 1): the middle one, or the
 * mean of the middle two (the matrices' and the siblings' medians). */
double gx_sort_median(double *v, size_t n);
/* Sorts samples in place and returns the precision of their median (n >= 1): what a step's
 * stop rule asks between batches, without the other statistics. */
double gx_sorted_precision(double *samples, size_t n);

#endif
