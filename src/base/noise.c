#include "config.h"
#include "noise.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct gx_noise gx_noise_judge(const struct gx_stats *s, int lower_is_better, double cpu_wait,
                               long cpu_waits)
{
    struct gx_noise n = {.cpu_wait = cpu_wait,
                         .cpu_waits = cpu_waits > INT32_MAX ? INT32_MAX : (int32_t)cpu_waits};
    if (s->n > 0 && s->median > 0) {
        double slow = lower_is_better ? s->p95 / s->median : (s->p5 > 0 ? s->median / s->p5 : 0);
        n.tail = isfinite(slow) ? slow : 0;
        if (lower_is_better ? n.tail >= GX_NOISE_TAIL_RATIO
                            : (s->p5 <= 0 || n.tail >= GX_NOISE_TAIL_RATIO))
            n.marks |= GX_NOISE_TAIL;
        double worst = lower_is_better ? s->max / s->median
                                       : (s->min > 0 ? s->median / s->min : 0);
        if (!(n.marks & GX_NOISE_TAIL) && isfinite(worst) && worst >= GX_NOISE_TAIL_RATIO)
            n.worst = (float)worst;
        if (s->n > 1) {
            double ci = gx_median_precision(s->median, s->ci_lo, s->ci_hi);
            n.ci = isfinite(ci) ? ci : 0;
            if (!isfinite(ci) || ci > GX_NOISE_CI)
                n.marks |= GX_NOISE_WIDE;
        }
    }
    if (cpu_wait >= GX_NOISE_WAIT && (cpu_waits < 0 || 2 * (size_t)cpu_waits >= s->n))
        n.marks |= GX_NOISE_WAITED;
    if (s->n > 0 && s->n < GX_NOISE_MIN_SAMPLES)
        n.marks |= GX_NOISE_FEW;
    return n;
}

const char *gx_noise_words(unsigned marks, char *buf, size_t len)
{
    static const struct {
        unsigned bit;
        const char *word;
    } words[] = {{GX_NOISE_WAITED, "waited"}, {GX_NOISE_TAIL, "tail"}, {GX_NOISE_WIDE, "wide"},
                 {GX_NOISE_FEW, "few"}, {GX_NOISE_DRIFT, "drift"}};
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (marks & words[i].bit && used < len) {
            int k = snprintf(buf + used, len - used, "%s%s", used ? "," : "", words[i].word);
            used += k > 0 ? (size_t)k : 0;
        }
    return buf;
}

const char *gx_noise_mark(unsigned marks)
{
    return marks & GX_NOISE_DISTURBED ? "~" : marks & GX_NOISE_PLATFORM ? "^" : "";
}

void gx_noise_why(const struct gx_noise *n, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
#define GX_NOISE_ADD(...)                                                                        \
    do {                                                                                         \
        if (used < len) {                                                                        \
            int k_ = snprintf(buf + used, len - used, __VA_ARGS__);                              \
            used += k_ > 0 ? (size_t)k_ : 0;                                                     \
        }                                                                                        \
    } while (0)
    if (n->marks & GX_NOISE_WAITED) {
        GX_NOISE_ADD("a rank waited for a CPU %.0f%% of the step", 100 * n->cpu_wait);
        if (n->cpu_waits >= 0)
            GX_NOISE_ADD(" (%ld waits)", (long)n->cpu_waits);
    }
    if (n->marks & GX_NOISE_TAIL)
        GX_NOISE_ADD("%sthe slowest 5%% of iterations %.1fx the median", used ? "; " : "",
                     n->tail);
    if (n->marks & GX_NOISE_WIDE)
        GX_NOISE_ADD("%sthe median known only to +-%.0f%%", used ? "; " : "", 100 * n->ci);
    if (n->marks & GX_NOISE_FEW)
        GX_NOISE_ADD("%sfewer than %d timed iterations: too few to judge", used ? "; " : "",
                     GX_NOISE_MIN_SAMPLES);
    if (n->marks & GX_NOISE_DRIFT && n->mode_visits)
        GX_NOISE_ADD("%sthe platform ran at two speeds: %d of its %d visits at %.4g, the others "
                     "at %.4g", used ? "; " : "", n->mode_hi_visits, n->mode_visits, n->mode_hi,
                     n->mode_lo);
    if (n->marks & GX_NOISE_DRIFT)
        GX_NOISE_ADD("%sits visits' medians %.0f%% apart: the platform's speed varied, the "
                     "result known from them to +-%.1f%%", used ? "; " : "", 100 * n->drift,
                     100 * n->visits_ci);
#undef GX_NOISE_ADD
}

/* Student's t at 97.5% for df degrees of freedom (Cornish-Fisher, within 0.3% from df 2). */
static double t975(int df)
{
    const double z = 1.959964, d = df;
    return z + (z * z * z + z) / (4 * d) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
}

/* The split of the sorted logs into two groups whose means lie farthest apart in their pooled
 * standard deviations (each group two visits at least). */
static void split_modes(struct gx_noise *n, const double *lg, int nv)
{
    double best = 0, lo = 0, hi = 0;
    int at = 0;
    for (int k = 2; k <= nv - 2; k++) {
        double ma = 0, mb = 0, ss = 0;
        for (int i = 0; i < nv; i++)
            *(i < k ? &ma : &mb) += lg[i];
        ma /= k;
        mb /= nv - k;
        for (int i = 0; i < nv; i++)
            ss += (lg[i] - (i < k ? ma : mb)) * (lg[i] - (i < k ? ma : mb));
        double sd = sqrt(ss / (nv - 2)), apart = sd > 0 ? (mb - ma) / sd : INFINITY;
        if (apart > best)
            best = apart, lo = ma, hi = mb, at = k;
    }
    if (best >= GX_NOISE_MODES_APART && hi - lo > log1p(GX_NOISE_MODES_PCT / 100.0)) {
        n->mode_lo = (float)exp(lo);
        n->mode_hi = (float)exp(hi);
        n->mode_hi_visits = (int16_t)(nv - at);
        n->mode_visits = (int16_t)nv;
    }
}

void gx_noise_visits(struct gx_noise *n, const double *median, int nvisits)
{
    double lg[64];
    if (nvisits < 2 || nvisits > (int)(sizeof lg / sizeof lg[0]))
        return;
    for (int i = 0; i < nvisits; i++) {
        if (!(median[i] > 0))
            return; /* a visit without a median: nothing to set beside the others */
        lg[i] = log(median[i]);
    }
    qsort(lg, (size_t)nvisits, sizeof lg[0], gx_cmp_double);
    n->drift = (float)(exp(lg[nvisits - 1] - lg[0]) - 1);
    if (nvisits < 3)
        return;
    double mean = 0, ss = 0;
    for (int i = 0; i < nvisits; i++)
        mean += lg[i] / nvisits;
    for (int i = 0; i < nvisits; i++)
        ss += (lg[i] - mean) * (lg[i] - mean);
    n->visits_ci = (float)expm1(t975(nvisits - 1) * sqrt(ss / (nvisits - 1) / nvisits));
    if (nvisits >= 4)
        split_modes(n, lg, nvisits);
    if (n->mode_visits || n->visits_ci > GX_NOISE_VARIED_CI)
        n->marks |= GX_NOISE_DRIFT;
}

double gx_cpu_wait_s(long *slices)
{
    *slices = -1;
    FILE *f = fopen("/proc/thread-self/schedstat", "r");
    if (!f)
        return -1;
    unsigned long long run = 0, wait = 0, n = 0;
    int got = fscanf(f, "%llu %llu %llu", &run, &wait, &n);
    fclose(f);
    if (got == 3)
        *slices = (long)n;
    return got >= 2 ? (double)wait * 1e-9 : -1;
}
