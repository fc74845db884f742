/* Whether the machine disturbed a measurement, one rule for results and ceiling probes alike. */
#ifndef GX_NOISE_H
#define GX_NOISE_H

#include "stats.h"

#include <stddef.h>
#include <stdint.h>

#define GX_NOISE_WAITED 0x1u /* a rank of the pair waited for a CPU for GX_NOISE_WAIT of the step,
                                in at least half of its iterations */
#define GX_NOISE_TAIL 0x2u   /* the slowest 5% of iterations at least GX_NOISE_TAIL_RATIO times
                                slower than the median: something else ran in between */
#define GX_NOISE_WIDE 0x4u   /* the median's 95% interval wider than GX_NOISE_CI either side */
#define GX_NOISE_FEW 0x8u    /* fewer than GX_NOISE_MIN_SAMPLES timed iterations: no interval */
#define GX_NOISE_DRIFT 0x10u /* the medians of its visits differ beyond their intervals and by
                                more than GX_NOISE_DRIFT_PCT: the machine's speed changed */
#define GX_NOISE_LAST GX_NOISE_DRIFT
/* The fewest timed iterations a clean number may rest on: their range holds the median at 94%. */
#define GX_NOISE_MIN_SAMPLES 5
#define GX_NOISE_MACHINE (GX_NOISE_WAITED | GX_NOISE_TAIL | GX_NOISE_WIDE | GX_NOISE_DRIFT)
#define GX_NOISE_DRIFT_PCT 5 /* the least difference of two visits' medians that is drift */

/* Well above what an idle machine shows and well below what a busy one does (docs/report.md). */
#define GX_NOISE_WAIT 0.10
#define GX_NOISE_TAIL_RATIO 3.0
#define GX_NOISE_CI 0.10

struct gx_noise {
    unsigned marks;  /* GX_NOISE_*; 0: clean */
    float drift;     /* its visits' medians, the largest over the smallest less 1 (0: one visit) */
    double cpu_wait; /* the largest share of the step a rank spent runnable but not running */
    int32_t cpu_waits; /* how many times the pair's ranks were put back on a CPU over the step */
    float worst; /* the slowest iteration / median where only it passes GX_NOISE_TAIL_RATIO */
    double tail;     /* the slow tail (p95) over the median; 0 when unknown */
    double ci;       /* the median's 95% interval, its farther end from the median, relative */
};

/* Judges one step: fewer waits than half the iterations leave the median alone, however long. */
struct gx_noise gx_noise_judge(const struct gx_stats *s, int lower_is_better, double cpu_wait,
                               long cpu_waits);
void gx_noise_visits(struct gx_noise *n, const double *median, const double *lo,
                     const double *hi, int nvisits);
const char *gx_noise_words(unsigned marks, char *buf, size_t len);
void gx_noise_why(const struct gx_noise *n, char *buf, size_t len);

/* Seconds this thread spent runnable but not running, and in *slices its times on a CPU. */
double gx_cpu_wait_s(long *slices);

#endif
