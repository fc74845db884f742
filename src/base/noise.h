/* Whether the machine disturbed a measurement: what its own samples and its ranks' waits for a
 * CPU say, judged by one rule for results and ceiling probes alike. A busy node (other jobs, a
 * login node, a CI runner) slows some iterations of a step; a median or a probe's best taken
 * from such a step is marked, never shown as a clean number. */
#ifndef GX_NOISE_H
#define GX_NOISE_H

#include "stats.h"

#include <stddef.h>
#include <stdint.h>

/* Why a measurement is marked (bits of gx_noise.marks). */
#define GX_NOISE_WAITED 0x1u /* a rank of the pair waited for a CPU for GX_NOISE_WAIT of the step,
                                often enough to reach half of its iterations */
#define GX_NOISE_TAIL 0x2u   /* the slowest 5% of iterations at least GX_NOISE_TAIL_RATIO times
                                slower than the median: something else ran in between */
#define GX_NOISE_WIDE 0x4u   /* the median's 95% interval wider than GX_NOISE_CI either side */
#define GX_NOISE_FEW 0x8u    /* fewer than GX_NOISE_MIN_SAMPLES timed iterations (a step cut by
                                --budget, --timeout, a stop signal, or --iters given so): no
                                95% interval, nothing to judge its noise by */
#define GX_NOISE_DRIFT 0x10u  /* the medians of its visits (--visits) differ beyond their 95%
                                intervals and by more than GX_NOISE_DRIFT_PCT: the machine's
                                speed changed during the run */
#define GX_NOISE_LAST GX_NOISE_DRIFT
/* The fewest timed iterations a number may rest on and be shown clean: the range of n covers a
 * median with confidence 1 - 2^(1-n), near 95% at 5; fewer have no interval at all. */
#define GX_NOISE_MIN_SAMPLES 5
/* The marks that say the machine disturbed the step (not that the step was cut short). */
#define GX_NOISE_MACHINE (GX_NOISE_WAITED | GX_NOISE_TAIL | GX_NOISE_WIDE | GX_NOISE_DRIFT)
/* The least difference between two visits' medians that is drift: the precision a step asks by
 * default is 1%, and two intervals that barely miss each other at that precision say little. */
#define GX_NOISE_DRIFT_PCT 5

/* The limits: well above what an idle machine shows and well below what a busy one does
 * (docs/report.md has both), so that a mark says the machine interfered. */
#define GX_NOISE_WAIT 0.10
#define GX_NOISE_TAIL_RATIO 3.0
#define GX_NOISE_CI 0.10

struct gx_noise {
    unsigned marks;  /* GX_NOISE_*; 0: clean */
    float drift;     /* its visits' medians, the largest over the smallest less 1 (0: one visit;
                        beside marks, where the point of a ceiling has room for it) */
    double cpu_wait; /* the largest share of the step a rank of the pair spent runnable but not
                        running (0..1); negative: the kernel does not say */
    int32_t cpu_waits; /* how many times the pair's ranks were put back on a CPU over the step
                          (each wait ends so); negative: the kernel does not say */
    /* The slowest iteration over the median (max / median for times, median / min for rates)
     * where it is GX_NOISE_TAIL_RATIO or more and the slowest 5% are not: a few interrupted
     * iterations, of which a mean-based cv is made while the median stands (no mark); 0
     * otherwise. Beside cpu_waits, where a ceiling's point has room for it. */
    float worst;
    double tail;     /* the slow tail over the median (p95 / median for times, median / p5 for
                        rates); 0 when unknown */
    double ci;       /* the median's 95% interval, its farther end from the median, relative */
};

/* Judges the statistics of one step (lower_is_better: times) and its ranks' CPU wait: the
 * share of the step, and the number of waits it came in. A median moves only when more than
 * half of the iterations are slowed; a wait slows at most the one iteration it falls in, so
 * fewer waits than half the iterations leave the median alone, however long (a slowed few
 * show in the tail): on an idle machine one ordinary wait can be a large share of a short step
 * and touch none of its iterations. */
struct gx_noise gx_noise_judge(const struct gx_stats *s, int lower_is_better, double cpu_wait,
                               long cpu_waits);
/* A result measured in several visits (--visits): their medians and the ends of their 95%
 * intervals set n->drift, and the mark GX_NOISE_DRIFT where two visits' intervals do not meet
 * and the medians differ by more than GX_NOISE_DRIFT_PCT. */
void gx_noise_visits(struct gx_noise *n, const double *median, const double *lo,
                     const double *hi, int nvisits);
/* The marks as words ("waited", "tail", "wide", "few", "drift"), comma-separated, into buf; "" for none. */
const char *gx_noise_words(unsigned marks, char *buf, size_t len);
/* One sentence on why, e.g. "rank waited for a CPU 34% of the step; p95 12.3x the median". */
void gx_noise_why(const struct gx_noise *n, char *buf, size_t len);

/* Seconds this thread has spent runnable but not running since it started (the scheduler's
 * run delay, /proc/thread-self/schedstat), and in *slices the times it was put on a CPU;
 * negative when the kernel does not keep them. Read outside the timed iterations only. */
double gx_cpu_wait_s(long *slices);

#endif
