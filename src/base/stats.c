#include "stats.h"

#include <math.h>
#include <stdlib.h>

int gx_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const double *s, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return s[n - 1];
    return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

void gx_stats_compute(double *s, size_t n, struct gx_stats *o)
{
    qsort(s, n, sizeof *s, gx_cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += s[i];
    double mean = sum / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (s[i] - mean) * (s[i] - mean);
    o->n = n;
    o->min = s[0];
    o->max = s[n - 1];
    o->mean = mean;
    o->median = percentile(s, n, 0.5);
    o->p5 = percentile(s, n, 0.05);
    o->p95 = percentile(s, n, 0.95);
    o->p99 = percentile(s, n, 0.99);
    o->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    o->cv = mean != 0 ? o->stddev / mean : 0.0;
    gx_median_ci(s, n, &o->ci_lo, &o->ci_hi);
}

void gx_median_ci_ranks(size_t n, long *j, long *k)
{
    /* Distribution-free: the median lies between order statistics j and k (1-based) with ~95%
     * probability, j,k = n/2 -+ 1.96 sqrt(n)/2 (normal approximation of the binomial). */
    double half = 1.96 * sqrt((double)n) / 2.0;
    *j = (long)floor((double)n / 2.0 - half);
    *k = (long)ceil(1.0 + (double)n / 2.0 + half);
    if (*j < 1)
        *j = 1;
    if (*k > (long)n)
        *k = (long)n;
}

void gx_median_ci(const double *s, size_t n, double *lo, double *hi)
{
    long j, k;
    gx_median_ci_ranks(n, &j, &k);
    *lo = s[j - 1];
    *hi = s[k - 1];
}

double gx_normal_quantile(double p)
{
    double lo = -10, hi = 10;
    for (int i = 0; i < 100; i++) {
        double mid = (lo + hi) / 2;
        if (0.5 * erfc(-mid / sqrt(2.0)) < p)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

double gx_median_precision(double median, double lo, double hi)
{
    double far = median - lo > hi - median ? median - lo : hi - median;
    return median != 0 ? fabs(far / median) : INFINITY;
}

double gx_sort_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, gx_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double gx_sorted_precision(double *s, size_t n)
{
    qsort(s, n, sizeof *s, gx_cmp_double);
    double lo, hi;
    gx_median_ci(s, n, &lo, &hi);
    return gx_median_precision(percentile(s, n, 0.5), lo, hi);
}
