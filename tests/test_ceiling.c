/* Which ceiling bounds each result: the paths' bound rules over ceilings made by hand as the
 * probes leave them (gx_ceilings_put), the efficiency both ways (GB/s and us), a result beyond
 * its ceiling flagged exactly when its efficiency passes 100 percent, absent ceilings giving 0 with a
 * reason, and every ceiling a path names measured by a probe of the table. Paths and probes
 * left out of this build (no CUDA, no NCCL) are skipped. */
#include "ceiling.h"
#include "ceilings_back.h"
#include "mem.h"
#include "mplan.h"
#include "path.h"
#include "pattern.h"
#include "probe.h"
#include "rating.h"
#include "report.h"
#include "tap.h"

#include <math.h>
#include <string.h>

#define MIB (1u << 20)

static struct gx_ceilings cs;

/* A point as a probe leaves it: best, and a spread below it (absent when best <= 0). */
static void put(enum gx_ceil_kind kind, int a, int b, size_t size, double best)
{
    struct gx_ceil_point p = {.size = size, .best = best, .median = best * 0.9,
                              .min = best * 0.8, .max = best, .iters = best > 0 ? 20 : 0};
    if (gx_ceil_kind_latency(kind)) {
        p.median = best * 1.1;
        p.min = best;
        p.max = best * 1.2;
    }
    struct gx_err err = {0};
    if (gx_ceilings_put(&cs, kind, a, b, "by hand", &p, best <= 0 ? "out of memory" : NULL,
                        &err) != GX_OK)
        printf("# %s\n", err.msg);
}

static const struct gx_path_ops *ops_of(const char *name)
{
    int i = gx_path_lookup(name);
    return i >= 0 ? gx_paths[i].ops : NULL;
}

/* A result of `path` ready to be rated, its median known exactly (its interval the median). */
static struct gx_result result(const char *path, const char *pattern, int a, int b, int same,
                               size_t size, size_t chunk, double median, const char *mem)
{
    int kind = gx_pattern_lookup(pattern);
    struct gx_result r = {
        .path = path, .src_mem = mem, .dst_mem = mem, .pattern = pattern, .pattern_kind = kind,
        .family = gx_pattern_table[kind]->family, .unit = gx_pattern_table[kind]->unit, .a = a,
        .b = b, .src_kind = gx_mem_lookup(mem), .dst_kind = gx_mem_lookup(mem),
        .same_node = same, .size = size, .chunk = chunk, .depth = chunk ? 2 : 0,
        .state = GX_STATE_OK,
    };
    r.stats.median = r.stats.ci_lo = r.stats.ci_hi = median;
    r.stats.n = GX_MIN_ITERS;
    return r;
}

static char what[256];

static double apply(const char *path, struct gx_result *r)
{
    gx_ceiling_apply(&cs, ops_of(path), r, what, sizeof what);
    return r->ceiling;
}

/* ok() when the path is built in, else a skip naming it. */
#define path_ok(path, cond, ...)                                                              \
    do {                                                                                      \
        if (ops_of(path))                                                                     \
            ok(cond, __VA_ARGS__);                                                            \
        else                                                                                  \
            ok(1, "# SKIP path %s is not built in", path);                                    \
    } while (0)

/* Points as the probes leave them: sorted by size, the best of two kept, measured over absent. */
static void check_put(void)
{
    struct gx_ceilings save = cs;
    memset(&cs, 0, sizeof cs);
    put(GX_CEIL_SHM_COPY, 0, 1, 4 * MIB, 10);
    put(GX_CEIL_SHM_COPY, 0, 1, 1 * MIB, 0);
    put(GX_CEIL_SHM_COPY, 0, 1, 2 * MIB, 7);
    const struct gx_ceil_curve *k = gx_ceil_find(&cs, GX_CEIL_SHM_COPY, 0, 1);
    ok(cs.n == 1 && k && k->n == 3 && k->pts[0].size == 1 * MIB && k->pts[1].size == 2 * MIB &&
           k->pts[2].size == 4 * MIB && !strcmp(gx_ceil_curve_what(&cs, k), "by hand"),
       "put: one curve per (kind, pair), its points by size");
    put(GX_CEIL_SHM_COPY, 0, 1, 4 * MIB, 9);
    put(GX_CEIL_SHM_COPY, 0, 1, 2 * MIB, 8);
    put(GX_CEIL_SHM_COPY, 0, 1, 1 * MIB, 5);
    put(GX_CEIL_SHM_COPY, 0, 1, 1 * MIB, 0);
    ok(k->pts[2].best == 10 && k->pts[1].best == 8 && k->pts[0].best == 5 && k->n == 3,
       "put: the better best of two measurements stays; measured replaces absent, never back");
    /* A visit's point holds the visits before it: the same best from more iterations stands
     * for the whole probe; fewer iterations (a later pass) must beat the best. */
    struct gx_ceil_point whole = {.size = 4 * MIB, .best = 10, .median = 9.5, .min = 8,
                                  .max = 10, .iters = 60};
    struct gx_err perr = {0};
    gx_ceilings_put(&cs, GX_CEIL_SHM_COPY, 0, 1, "by hand", &whole, NULL, &perr);
    int joined = k->pts[2].iters == 60 && k->pts[2].median == 9.5;
    whole.iters = 30;
    whole.median = 9.9;
    gx_ceilings_put(&cs, GX_CEIL_SHM_COPY, 0, 1, "by hand", &whole, NULL, &perr);
    ok(joined && k->pts[2].iters == 60 && k->pts[2].median == 9.5 && k->pts[2].best == 10,
       "put: a later visit's point (the same best, more iterations) stands for the probe; a "
       "point of fewer iterations and no better best does not");
    put(GX_CEIL_SHM_LAT, 0, 1, 8, 0.5);
    put(GX_CEIL_SHM_LAT, 0, 1, 8, 0.4);
    put(GX_CEIL_SHM_LAT, 0, 1, 8, 0.6);
    char why[256];
    ok(gx_ceil_value(&cs, GX_CEIL_SHM_LAT, 0, 1, 8, why, sizeof why) == 0.4,
       "put: a latency keeps the lowest");
    gx_ceilings_free(&cs);
    cs = save;
}

/* Curves are found through an index, among thousands (a 10,000-rank job's pairs):
 * each one where it was put, across the index's growth, and none that was not put. */
static void check_index(void)
{
    struct gx_ceilings save = cs;
    memset(&cs, 0, sizeof cs);
    int found = 0, wrong = 0;
    for (int a = 0; a < 3000; a++) {
        put(GX_CEIL_SHM_COPY, a, a ^ 1, 4096, 1 + a);
        put(GX_CEIL_SHM_LAT, a, a ^ 1, 8, 1 + a);
    }
    for (int a = 0; a < 3000; a++) {
        const struct gx_ceil_curve *k = gx_ceil_find(&cs, GX_CEIL_SHM_COPY, a, a ^ 1);
        const struct gx_ceil_curve *l = gx_ceil_find(&cs, GX_CEIL_SHM_LAT, a, a ^ 1);
        found += k && l;
        wrong += !k || !l || k->a != a || k->pts[0].best != 1 + a || l->kind != GX_CEIL_SHM_LAT ||
                 gx_ceil_find(&cs, GX_CEIL_SHM_COPY, a, a ^ 2) != NULL ||
                 gx_ceil_find(&cs, GX_CEIL_COPY, a, a ^ 1) != NULL;
    }
    ok(cs.n == 6000 && found == 3000 && wrong == 0,
       "index: 6000 curves, each found by (kind, a, b), none that was not put (%d, %d wrong)",
       found, wrong);
    gx_ceilings_free(&cs);
    cs = save;
}

/* Every ceiling a path's rule names is measured by one probe of the table, in the family its
 * rule rates; no two probes measure the same kind. */
static void check_probe_table(void)
{
    int all = 1, unique = 1;
    for (int p = 0; p < gx_path_count; p++) {
        const struct gx_path_ops *ops = gx_paths[p].ops;
        for (int f = 0; ops && f < GX_FAMILY_COUNT; f++)
            for (int r = 0; r < ops->bounds[f].n; r++)
                for (int s = 0; s < ops->bounds[f].rules[r].nstages; s++) {
                    int family, probe = gx_probe_of_kind(ops->bounds[f].rules[r].stages[s].kind,
                                                         &family);
                    if (probe < 0 || family != f) {
                        all = 0;
                        printf("# %s: stage %s has no probe in family %d\n", gx_paths[p].name,
                               ops->bounds[f].rules[r].stages[s].name, f);
                    }
                }
    }
    for (int k = 0; k < GX_CEIL_KINDS; k++) {
        int n = 0;
        for (int i = 0; i < gx_probe_count; i++)
            for (int f = 0; f < GX_FAMILY_COUNT; f++)
                n += gx_probes[i].kind[f] == k;
        unique &= n == 1;
    }
    ok(all, "every stage of every path's rules has a probe, in the rule's family");
    ok(unique, "every ceiling kind is measured by exactly one probe");
    int flagged = 1;
    for (int i = 0; i < gx_probe_count; i++)
        flagged &= !gx_probes[i].ops || (gx_probes[i].ops->flags & GX_PATH_PROBE);
    ok(flagged, "every probe's ops say GX_PATH_PROBE (nothing to validate at the peer)");
}

/* A point the machine disturbed bounds nothing. A probe point slower than a larger
 * size of its curve, disturbed more than the result, or beaten more than 2x gives no
 * efficiency (ceiling_unsound, the reason in ceiling_what); a clean curve rates as before. */
static void check_unsound(void)
{
    struct gx_ceilings save = cs;
    memset(&cs, 0, sizeof cs);
    /* 4K at 0.033 GB/s (124 us a message) beside 8K at 3 GB/s (2.7 us): the smoke run's curve
     * beside other jobs. */
    put(GX_CEIL_SHM_COPY, 0, 1, 1, 0.19);
    put(GX_CEIL_SHM_COPY, 0, 1, 4096, 0.033);
    put(GX_CEIL_SHM_COPY, 0, 1, 8192, 3);
    struct gx_result r = result("host", "bw", 0, 1, 1, 4096, 0, 0.27, "pageable");
    apply("host", &r);
    ok(r.ceiling_unsound && r.ceiling == 0 && r.efficiency == 0 && !r.ceiling_exceeded &&
           strstr(r.ceiling_what, "ceiling unsound: shm_copy 0->1 at 4K") &&
           strstr(r.ceiling_what, "as long as at 8K"),
       "a point slower than a larger size of its curve: unsound, no 818%% (%s)", r.ceiling_what);
    r = result("host", "bw", 0, 1, 1, 8192, 0, 2.4, "pageable");
    ok(apply("host", &r) == 3 && !r.ceiling_unsound && near(r.efficiency, 0.8),
       "its larger neighbour rates as before");
    r = result("host", "bw", 0, 1, 1, 1, 0, 0.15, "pageable");
    ok(apply("host", &r) > 0 && !r.ceiling_unsound,
       "a small size no slower than the larger ones (1 B: 5 ns) stands");
    /* Latency, one size: 1916 us at 8 B against a median of 4.1 us (3 ranks on 2 CPUs). */
    put(GX_CEIL_SHM_LAT, 0, 1, 8, 1916.9);
    r = result("host", "latency", 0, 1, 1, 8, 0, 4.099, "pageable");
    apply("host", &r);
    ok(r.ceiling_unsound && r.efficiency == 0 && strstr(r.ceiling_what, "467.7x the best"),
       "a result 467x beyond its probe: unsound, not 46760%%! (%s)", r.ceiling_what);
    put(GX_CEIL_SHM_LAT, 0, 1, 16, 1.0);
    r = result("host", "latency", 0, 1, 1, 16, 0, 0.9, "pageable");
    apply("host", &r);
    ok(r.ceiling_exceeded && !r.ceiling_unsound && near(r.efficiency, 1.0 / 0.9),
       "a result less than 2x beyond its sound probe keeps its efficiency and '!'");
    /* A disturbed probe point against a clean result, and against one disturbed as much. */
    struct gx_ceil_point noisy = {.size = 64, .best = 2, .median = 2.2, .min = 2, .max = 9,
                                  .iters = 20};
    noisy.noise = (struct gx_noise){.marks = GX_NOISE_WAITED, .cpu_wait = 0.6, .tail = 1.2};
    struct gx_err err = {0};
    gx_ceilings_put(&cs, GX_CEIL_SHM_LAT, 0, 1, "by hand", &noisy, NULL, &err);
    r = result("host", "latency", 0, 1, 1, 64, 0, 3, "pageable");
    r.noise = (struct gx_noise){.cpu_wait = 0.01, .tail = 1.1};
    apply("host", &r);
    ok(r.ceiling_unsound && strstr(r.ceiling_what, "disturbed more than the result") &&
           strstr(r.ceiling_what, "waited for a CPU 60%"),
       "a probe that waited for a CPU 60%% of its step against a clean result: unsound (%s)",
       r.ceiling_what);
    struct gx_ceil_point wide = noisy;
    wide.size = 128;
    wide.noise = (struct gx_noise){.marks = GX_NOISE_WIDE, .tail = 1.2, .ci = 0.49};
    gx_ceilings_put(&cs, GX_CEIL_SHM_LAT, 0, 1, "by hand", &wide, NULL, &err);
    r = result("host", "latency", 0, 1, 1, 128, 0, 3, "pageable");
    r.noise = (struct gx_noise){.tail = 1.1, .ci = 0.01};
    ok(apply("host", &r) == 2 && !r.ceiling_unsound,
       "a probe whose median is known to +-49%% only (managed memory on a quiet H200): still a "
       "bound, its best iteration is the ceiling");
    r = result("host", "latency", 0, 1, 1, 64, 0, 3, "pageable");
    r.noise = (struct gx_noise){.marks = GX_NOISE_WAITED, .cpu_wait = 0.7, .tail = 1.1};
    ok(apply("host", &r) == 2 && !r.ceiling_unsound,
       "the same probe against a result that waited longer: rated (the result carries its own "
       "mark)");
    gx_ceilings_free(&cs);
    cs = save;
}

/* The one rule that marks a step the machine disturbed, for results and probes. */
static void check_noise(void)
{
    struct gx_stats quiet = {.n = 100, .median = 1.0, .p5 = 0.95, .p95 = 1.7, .ci_lo = 0.98,
                             .ci_hi = 1.03};
    struct gx_noise n = gx_noise_judge(&quiet, 1, 0.004, 120);
    ok(n.marks == 0 && near(n.tail, 1.7) && near(n.ci, 0.03),
       "a quiet step (tail 1.7, +-3%%, waited 0.4%%): no mark");
    n = gx_noise_judge(&quiet, 1, 0.34, 50);
    ok(n.marks == GX_NOISE_WAITED, "a rank waited for a CPU 34%% of the step in 50 waits over "
       "100 iterations: waited");
    n = gx_noise_judge(&quiet, 1, 0.34, 49);
    ok(n.marks == 0, "the same 34%% in 49 waits: fewer than half the iterations slowed, the "
       "median stands");
    struct gx_stats probe = {.n = 5, .median = 0.069, .p5 = 0.067, .p95 = 0.071, .ci_lo = 0.067,
                             .ci_hi = 0.071};
    ok(gx_noise_judge(&probe, 1, 0.36, 2).marks == 0 &&
           gx_noise_judge(&probe, 1, 0.36, 3).marks == GX_NOISE_WAITED &&
           gx_noise_judge(&probe, 1, 0.36, -1).marks == GX_NOISE_WAITED,
       "5 iterations, a rank waited 36%%: 2 waits no mark, 3 waits or an unknown count waited");
    struct gx_stats once = quiet;
    once.max = 12.0;
    n = gx_noise_judge(&once, 1, 0, 0);
    struct gx_stats once_rate = {.n = 100, .median = 2.0, .min = 0.1, .p5 = 1.9, .p95 = 2.1,
                                 .ci_lo = 1.98, .ci_hi = 2.02};
    struct gx_noise nr = gx_noise_judge(&once_rate, 0, 0, 0);
    ok(n.marks == 0 && near(n.worst, 12.0) && nr.marks == 0 && near(nr.worst, 20.0) &&
           gx_noise_judge(&quiet, 1, 0, 0).worst == 0,
       "one iteration 12x the median (a time; 1/20 of a rate), the slowest 5%% not: no mark, "
       "worst %.1f and %.1f", n.worst, nr.worst);
    struct gx_stats tail = quiet;
    tail.p95 = 12.6;
    tail.max = 20.0;
    ok(gx_noise_judge(&tail, 1, -1, -1).marks == GX_NOISE_TAIL &&
           gx_noise_judge(&tail, 1, -1, -1).worst == 0,
       "p95 12.6x the median (times): tail (no worst beside it); an unknown wait marks nothing");
    struct gx_stats rate = {.n = 50, .median = 2.0, .p5 = 0.05, .p95 = 2.1, .ci_lo = 0.5,
                            .ci_hi = 2.05};
    n = gx_noise_judge(&rate, 0, 0, 0);
    ok(n.marks == (GX_NOISE_TAIL | GX_NOISE_WIDE) && near(n.tail, 40) && near(n.ci, 0.75),
       "a rate whose p5 is 1/40 of the median, known to -75%%: tail and wide");
    char words[64], why[256];
    gx_noise_why(&n, why, sizeof why);
    ok(!strcmp(gx_noise_words(GX_NOISE_WAITED | GX_NOISE_WIDE, words, sizeof words),
               "waited,wide") &&
           strstr(why, "40.0x the median") && strstr(why, "+-75%"),
       "words and the sentence say which and how much (%s; %s)", words, why);
    struct gx_stats one = {.n = 1, .median = 2.0, .p5 = 2.0, .p95 = 2.0, .ci_lo = 2.0,
                           .ci_hi = 2.0};
    n = gx_noise_judge(&one, 0, 0, 0);
    gx_noise_why(&n, why, sizeof why);
    ok(n.marks == GX_NOISE_FEW && !(n.marks & GX_NOISE_MACHINE) &&
           !strcmp(gx_noise_words(n.marks, words, sizeof words), "few") &&
           strstr(why, "fewer than 5 timed iterations"),
       "one iteration, however tight: marked few, not the machine's (%s)", why);
    one.n = GX_NOISE_MIN_SAMPLES;
    ok(gx_noise_judge(&one, 0, 0, 0).marks == 0, "%d iterations: no mark",
       GX_NOISE_MIN_SAMPLES);
}

int main(void)
{
    check_put();
    check_probe_table();

    put(GX_CEIL_SHM_COPY, 0, 1, 1 * MIB, 12);
    put(GX_CEIL_SHM_COPY, 0, 1, 8 * MIB, 15);
    put(GX_CEIL_SHM_COPY_BIDIR, 0, 1, 1 * MIB, 20);
    put(GX_CEIL_SHM_LAT, 0, 1, 8, 1.0);
    put(GX_CEIL_SHM_COPY, 1, 0, 1 * MIB, 40);
    put(GX_CEIL_PEER, 0, 1, 8 * MIB, 100);
    put(GX_CEIL_PEER_BIDIR, 0, 1, 8 * MIB, 180);
    put(GX_CEIL_COPY, 0, 1, 1 * MIB, 20);
    put(GX_CEIL_COPY, 0, 1, 4 * MIB, 0);
    put(GX_CEIL_COPY_BIDIR, 0, 1, 1 * MIB, 31);
    put(GX_CEIL_COPY, 1, 0, 1 * MIB, 50);
    put(GX_CEIL_SENDER_D2H, 0, 1, 1 * MIB, 25);
    put(GX_CEIL_SENDER_D2H, 1, 0, 1 * MIB, 55);
    put(GX_CEIL_MAPPED, 0, 1, 2 * MIB, 45);
    put(GX_CEIL_MAPPED_BIDIR, 0, 1, 2 * MIB, 60);
    put(GX_CEIL_PREFETCH, 0, 1, 2 * MIB, 8);
    put(GX_CEIL_SHM_COPY, 0, 1, 2 * MIB, 30);
    put(GX_CEIL_FAULTS, 0, 1, 2 * MIB, 3);
    put(GX_CEIL_PREFETCH_BIDIR, 1, 0, 2 * MIB, 14);
    put(GX_CEIL_SHM_COPY_BIDIR, 1, 0, 2 * MIB, 10);

    char why[256];
    ok(gx_ceil_value(&cs, GX_CEIL_SHM_COPY, 0, 1, 8 * MIB, why, sizeof why) == 15,
       "value: the best at exactly the size");
    ok(gx_ceil_value(&cs, GX_CEIL_SHM_COPY, 0, 1, 2 * MIB, why, sizeof why) == 30 &&
           gx_ceil_value(&cs, GX_CEIL_SHM_COPY, 0, 1, 3 * MIB, why, sizeof why) == 0 &&
           strstr(why, "not measured at"),
       "value: a size not measured is 0, with the reason");
    put(GX_CEIL_SHM_COPY, 0, 1, GX_CEIL_HOST_RATE_MAX, 12);
    put(GX_CEIL_SHM_LAT, 0, 1, GX_CEIL_HOST_RATE_MAX, 20000);
    struct gx_ceil_stage host[1] = {{"host", GX_CEIL_SHM_COPY, 0, 1}};
    ok(gx_ceil_value(&cs, GX_CEIL_SHM_COPY, 0, 1, 1024 * MIB, why, sizeof why) == 12 &&
           gx_ceil_slowest(&cs, host, 1, 1024 * MIB, why, sizeof why, NULL) == 12 &&
           strstr(why, "host at 256M") &&
           gx_ceil_value(&cs, GX_CEIL_SHM_LAT, 0, 1, 1024 * MIB, why, sizeof why) == 0,
       "value: a host-memory rate above %zu MiB is the point there (named so), a latency is "
       "not", GX_CEIL_HOST_RATE_MAX >> 20);
    ok(gx_ceil_value(&cs, GX_CEIL_COPY, 0, 1, 4 * MIB, why, sizeof why) == 0 &&
           strstr(why, "out of memory"),
       "value: an absent point gives its reason");
    ok(gx_ceil_value(&cs, GX_CEIL_COPY, 2, 3, 1 * MIB, why, sizeof why) == 0 &&
           strstr(why, "copy_engines 2->3 was not measured"),
       "value: a pair without the curve names the curve");
    struct gx_ceil_stage st[2] = {{"copies", GX_CEIL_COPY, 0, 1}, {"host", GX_CEIL_SHM_COPY, 0, 1}};
    ok(gx_ceil_slowest(&cs, st, 2, 1 * MIB, why, sizeof why, NULL) == 12 &&
           strstr(why, "slowest stage: host at 1M"),
       "slowest: the lowest rate of the stages, named");

    /* ---- host memory */
    struct gx_result r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 6, "pageable");
    ok(apply("host", &r) == 12 && near(r.efficiency, 0.5) && strstr(r.ceiling_what, "shared memory"),
       "host bw on one node: host memory through shared memory");
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 6, "pinned");
    ok(apply("host", &r) == 12, "host bw on pinned buffers: the same layer (the CPU copies both)");
    r = result("host", "bibw", 0, 1, 1, 1 * MIB, 0, 10, "pageable");
    ok(apply("host", &r) == 20 && near(r.efficiency, 0.5), "host bibw: both ways, a total");
    r = result("host", "latency", 0, 1, 1, 8, 0, 2.0, "pageable");
    ok(apply("mpi", &r) == 1.0 && near(r.efficiency, 0.5) && strstr(r.ceiling_what, "round trip"),
       "host latency: the shared-memory round trip, ceiling / median");
    r = result("host", "bw", 0, 1, 0, 1 * MIB, 0, 6, "pageable");
    ok(apply("host", &r) == 0 && r.efficiency == 0 &&
           !strcmp(r.ceiling_what, GX_NONE_ACROSS_NODES),
       "host across nodes: no ceiling, with the reason");
    r = result("host", "bw", 0, 1, 1, 4 * MIB, 0, 6, "pageable");
    ok(apply("host", &r) == 0 && strstr(r.ceiling_what, "not measured at"),
       "host at a size without a point: none, with the reason");

    /* ---- beyond the ceiling: exactly when the efficiency passes 100% */
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 12, "pageable");
    ok(apply("host", &r) == 12 && !r.ceiling_exceeded && near(r.efficiency, 1),
       "a median at the ceiling: 100%%, not flagged");
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 12.001, "pageable");
    ok(apply("host", &r) == 12 && r.ceiling_exceeded && r.efficiency > 1,
       "a median above the best iteration of the layer below: flagged");
    r = result("host", "latency", 0, 1, 1, 8, 0, 0.999, "pageable");
    ok(apply("host", &r) == 1.0 && r.ceiling_exceeded, "a latency below the probe's: flagged");
    r = result("host", "latency", 0, 1, 1, 8, 0, 1.0, "pageable");
    ok(apply("host", &r) == 1.0 && !r.ceiling_exceeded, "a latency at the probe's: not flagged");
    cJSON *o = gx_result_json(&r);
    ok(o && cJSON_GetObjectItem(o, "ceiling")->valuedouble == 1.0 &&
           cJSON_GetObjectItem(o, "efficiency")->valuedouble == 1.0 &&
           !cJSON_GetObjectItem(o, "ceiling_exceeded"),
       "result JSON: ceiling and efficiency, no ceiling_exceeded at 100%%");
    cJSON_Delete(o);
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 13, "pageable");
    apply("host", &r);
    o = gx_result_json(&r);
    cJSON *ex = cJSON_GetObjectItem(o, "ceiling_exceeded");
    ok(ex && cJSON_IsString(cJSON_GetObjectItem(ex, "reason")) &&
           cJSON_GetObjectItem(ex, "by")->valuedouble > 1,
       "result JSON: ceiling_exceeded with by and the reason");
    cJSON_Delete(o);
    /* Above the ceiling, but within the median's interval: at the ceiling, '=', not '!'. */
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 12.01, "pageable");
    r.stats.ci_lo = 11.98;
    r.stats.ci_hi = 12.03;
    ok(apply("host", &r) == 12 && !r.ceiling_exceeded && r.ceiling_within && r.efficiency > 1,
       "a median above the ceiling whose interval reaches it: within, not exceeded");
    o = gx_result_json(&r);
    cJSON *in = cJSON_GetObjectItem(o, "ceiling_within");
    ok(in && !cJSON_GetObjectItem(o, "ceiling_exceeded") &&
           cJSON_GetObjectItem(in, "by")->valuedouble > 1 &&
           cJSON_GetArraySize(cJSON_GetObjectItem(in, "median_interval")) == 2 &&
           cJSON_GetArrayItem(cJSON_GetObjectItem(in, "median_interval"), 0)->valuedouble == 11.98,
       "result JSON: ceiling_within with by and the median's interval");
    cJSON_Delete(o);
    r.stats.ci_lo = 12.001;
    ok(apply("host", &r) == 12 && r.ceiling_exceeded && !r.ceiling_within,
       "the same median, its interval wholly above the ceiling: exceeded");
    r = result("host", "latency", 0, 1, 1, 8, 0, 0.99, "pageable");
    r.stats.ci_hi = 1.02;
    ok(apply("host", &r) == 1.0 && !r.ceiling_exceeded && r.ceiling_within,
       "a latency below the probe's whose interval reaches it: within");
    r.stats.ci_hi = 0.995;
    ok(apply("host", &r) == 1.0 && r.ceiling_exceeded && !r.ceiling_within,
       "a latency wholly below the probe's: exceeded");
    r.stats.n = GX_MIN_ITERS - 1;
    ok(apply("host", &r) == 0 && r.ceiling_unsound && !r.ceiling_exceeded && !r.ceiling_within &&
           strstr(what, "ceiling unjudged") && strstr(what, "4 timed iterations"),
       "the same with %d samples (no 95%% interval): neither beyond nor within, unjudged (%s)",
       GX_MIN_ITERS - 1, what);
    r.stats.ci_hi = 1.02;
    r.stats.median = 1.01;
    r.ceiling_unsound = 0;
    ok(apply("host", &r) == 1.0 && !r.ceiling_unsound && !r.ceiling_within &&
           near(r.efficiency, 1 / 1.01),
       "%d samples below the ceiling: rated as any (an efficiency under 100%% claims nothing "
       "beyond the probe)", GX_MIN_ITERS - 1);
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 6, "pageable");
    gx_ceiling_apply(NULL, ops_of("host"), &r, what, sizeof what);
    ok(r.ceiling == 0 && r.efficiency == 0 && !r.ceiling_what, "--ceilings off: nothing set");
    r.state = GX_STATE_SKIPPED;
    gx_ceiling_apply(&cs, ops_of("host"), &r, what, sizeof what);
    ok(r.ceiling == 0 && !r.ceiling_what, "a skipped result gets no ceiling");

    /* ---- device memory and the GPU paths */
    r = result("mpi", "bw", 0, 1, 1, 8 * MIB, 0, 50, "device");
    ok(apply("mpi", &r) == 100 && strstr(r.ceiling_what, "peer copy"),
       "device mpi bw on one node: the peer copy");
    r = result("mpi", "bw", 0, 1, 1, 8 * MIB, 0, 123, "device");
    r.l2_resident = 50 * MIB;
    apply("mpi", &r);
    ok(r.ceiling_unsound && r.efficiency == 0 && !r.ceiling_exceeded &&
           strstr(r.ceiling_what, "50 MiB L2"),
       "its window reusing one buffer pair in the shared GPU's L2: cache-resident, no bound "
       "(%s)", r.ceiling_what);
    r = result("mpi", "bibw", 0, 1, 1, 8 * MIB, 0, 90, "device");
    ok(apply("mpi", &r) == 180 && near(r.efficiency, 0.5), "device mpi bibw: peer copy both ways");
    r = result("mpi", "latency", 0, 1, 1, 8, 0, 3, "device");
    ok(apply("mpi", &r) == 0 && r.ceiling_what[0], "device mpi latency: none, with the reason");
    r = result("staged", "bw", 0, 1, 1, 4 * MIB, 1 * MIB, 10, "device");
    r.same_gpu = 1;
    path_ok("staged", apply("staged", &r) == 20 && near(r.efficiency, 0.5) &&
                          strstr(r.ceiling_what, "D2H while H2D at 1M"),
            "staged with both ranks on one GPU: its copy engines both at once, at the chunk");
    r = result("staged", "bw", 0, 1, 1, 4 * MIB, 1 * MIB, 10, "device");
    path_ok("staged", apply("staged", &r) == 25 && near(r.efficiency, 0.4) &&
                          strstr(r.ceiling_what, "the sender's D2H alone at 1M"),
            "staged on two GPUs of a node: the sender's D2H alone, not both GPUs' copies at once "
            "(%s)", r.ceiling_what ? r.ceiling_what : "");
    r = result("staged", "bibw", 0, 1, 1, 4 * MIB, 1 * MIB, 10, "device");
    path_ok("staged", apply("staged", &r) == 31, "staged bibw: the copy engines both ways");
    r = result("staged", "bw", 0, 1, 0, 4 * MIB, 1 * MIB, 10, "device");
    path_ok("staged", apply("staged", &r) == 25, "staged across nodes: the sender's D2H alone");
    r = result("staged-mpi", "bw", 0, 1, 1, 4 * MIB, 1 * MIB, 10, "device");
    r.same_gpu = 1;
    path_ok("staged-mpi", apply("staged-mpi", &r) == 12 && strstr(r.ceiling_what, "slowest"),
            "staged-mpi on one node: the slower of the copy engines and host memory");
    r = result("staged", "bw", 1, 0, 1, 4 * MIB, 1 * MIB, 10, "device");
    r.same_gpu = 1;
    path_ok("staged", apply("staged", &r) == 50, "the pair's own direction (1->0)");
    r = result("staged", "bw", 1, 0, 1, 4 * MIB, 1 * MIB, 10, "device");
    path_ok("staged", apply("staged", &r) == 55, "the pair's own direction on two GPUs (1->0)");
    r = result("zerocopy", "bw", 0, 1, 1, 8 * MIB, 2 * MIB, 36, "device");
    path_ok("zerocopy", apply("zerocopy", &r) == 45 && near(r.efficiency, 0.8) &&
                            strstr(r.ceiling_what, "mapped host at 2M"),
            "zerocopy: SMs on mapped memory at both sides at once, at the chunk");
    r = result("zerocopy", "bibw", 0, 1, 0, 8 * MIB, 2 * MIB, 30, "device");
    path_ok("zerocopy", apply("zerocopy", &r) == 60, "zerocopy bibw: both ways");
    r = result("unified-prefetch", "bw", 0, 1, 1, 8 * MIB, 2 * MIB, 4, "managed");
    path_ok("unified-prefetch", apply("unified-prefetch", &r) == 8 && near(r.efficiency, 0.5),
            "unified-prefetch: the slower of the prefetches and host memory");
    r = result("unified-prefetch", "bibw", 1, 0, 1, 8 * MIB, 2 * MIB, 5, "managed");
    path_ok("unified-prefetch", apply("unified-prefetch", &r) == 10,
            "unified-prefetch bibw: host memory both ways is the slower here");
    r = result("unified-demand", "bw", 0, 1, 1, 8 * MIB, 2 * MIB, 1.5, "managed");
    r.same_gpu = 1;
    path_ok("unified-demand", apply("unified-demand", &r) == 3 && near(r.efficiency, 0.5),
            "unified-demand with both ranks on one GPU: the page faults");
    r = result("unified-demand", "bw", 0, 1, 1, 8 * MIB, 2 * MIB, 1.5, "managed");
    path_ok("unified-demand", apply("unified-demand", &r) > 3 && r.ceiling_what &&
                                  strstr(r.ceiling_what, "host memory copy") &&
                                  !strstr(r.ceiling_what, "page faults"),
            "unified-demand on two GPUs of a node: MPI's host memory copy alone, no faults (%s)",
            r.ceiling_what ? r.ceiling_what : "");
    r = result("unified-demand", "bw", 0, 1, 0, 8 * MIB, 2 * MIB, 1.5, "managed");
    path_ok("unified-demand", apply("unified-demand", &r) == 0 &&
                                  strstr(what, "demand paging across nodes"),
            "unified-demand across nodes: no ceiling, and why (%s)", what);
    r = result("p2p", "bw", 0, 1, 1, 8 * MIB, 0, 99, "device");
    path_ok("p2p", apply("p2p", &r) == 100 && strstr(r.ceiling_what, "peer copy at 8M"),
            "p2p: the peer copy at the message size");
    r = result("p2p", "latency", 0, 1, 1, 8, 0, 2, "device");
    path_ok("p2p", apply("p2p", &r) == 0, "p2p latency: no ceiling");
    r = result("nccl", "bw", 0, 1, 1, 8 * MIB, 0, 50, "device");
    path_ok("nccl", apply("nccl", &r) == 100, "nccl on one node: the peer copy");
    r = result("nccl", "bw", 0, 1, 0, 8 * MIB, 0, 50, "device");
    path_ok("nccl", apply("nccl", &r) == 0 && !strcmp(r.ceiling_what, GX_NONE_ACROSS_NODES),
            "nccl across nodes: none, with the reason");

    check_unsound();
    check_noise();
    check_index();

    /* ---- the report's "ceilings" */
    cJSON *cal = gx_test_ceilings_back(&cs);
    cJSON *pairs = cJSON_GetObjectItem(cal, "rank_pairs");
    cJSON *p01 = cJSON_GetArrayItem(pairs, 0);
    cJSON *lat = cJSON_GetObjectItem(p01, "shm_latency");
    cJSON *copy = cJSON_GetObjectItem(p01, "copy_engines");
    cJSON *pt = cJSON_GetArrayItem(cJSON_GetObjectItem(lat, "points"), 0);
    ok(cal && cJSON_GetArraySize(pairs) == 2 &&
           !strcmp(cJSON_GetObjectItem(lat, "unit")->valuestring, "us") &&
           cJSON_GetObjectItem(pt, "best")->valuedouble == 1.0 &&
           cJSON_GetObjectItem(pt, "iterations")->valueint == 20 &&
           cJSON_IsString(cJSON_GetObjectItem(
               cJSON_GetArrayItem(cJSON_GetObjectItem(copy, "points"), 1), "absent")),
       "ceilings JSON: per rank pair, each point's best and iterations, absent with the "
       "reason");
    cJSON_Delete(cal);
    gx_ceilings_free(&cs);
    return tap_done();
}
