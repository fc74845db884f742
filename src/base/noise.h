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
#define GX_NOISE_DRIFT 0x10u /* the platform's own speed varied between its visits: they split into
                                two speeds, or the result is known from them only to more than
                                GX_NOISE_VARIED_CI (the table's ^, not ~) */
#define GX_NOISE_LAST GX_NOISE_DRIFT
/* The fewest timed iterations a clean number may rest on: their range holds the median at 94%. */
#define GX_NOISE_MIN_SAMPLES 5
/* Another process took the pair's CPUs, or something ran between iterations: rerun quieter. */
#define GX_NOISE_MACHINE (GX_NOISE_WAITED | GX_NOISE_TAIL)
/* The platform's own variation, within a step or between its visits: what it costs is said. */
#define GX_NOISE_PLATFORM (GX_NOISE_WIDE | GX_NOISE_DRIFT)
/* What the table marks ~: the machine interfered, or too few iterations to judge. */
#define GX_NOISE_DISTURBED (GX_NOISE_MACHINE | GX_NOISE_FEW)
#define GX_NOISE_VARIED_PCT 5 /* a result known from its visits only to more than this varied */
#define GX_NOISE_VARIED_CI (GX_NOISE_VARIED_PCT / 100.0)
/* Two groups of visits whose means lie this many of their own standard deviations apart (and
 * more than GX_NOISE_MODES_PCT) are two speeds: a unimodal 16 seldom passes 4. */
#define GX_NOISE_MODES_APART 5.0
#define GX_NOISE_MODES_PCT 5

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
    float visits_ci; /* the 95% interval of its visits' medians' center, relative (0: < 3 visits) */
    float mode_lo, mode_hi; /* two speeds its visits split into (their geometric means); 0: one */
    int16_t mode_hi_visits, mode_visits; /* the visits at mode_hi, of how many */
};

/* Judges one step: fewer waits than half the iterations leave the median alone, however long. */
struct gx_noise gx_noise_judge(const struct gx_stats *s, int lower_is_better, double cpu_wait,
                               long cpu_waits);
/* What its visits' medians say of the platform: their spread, the center's interval, two
 * speeds; marks GX_NOISE_DRIFT where that costs the result (docs/report.md, "Noise"). */
void gx_noise_visits(struct gx_noise *n, const double *median, int nvisits);
const char *gx_noise_words(unsigned marks, char *buf, size_t len);
/* The table's mark after a median: "~" the machine interfered or too few iterations, "^" the
 * platform's own speed varied, "" clean. */
const char *gx_noise_mark(unsigned marks);
void gx_noise_why(const struct gx_noise *n, char *buf, size_t len);

/* Seconds this thread spent runnable but not running, and in *slices its times on a CPU. */
double gx_cpu_wait_s(long *slices);

#endif
