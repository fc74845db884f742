/* Which ceiling bounds each result: the paths' ceiling hooks over ceilings made by hand, the
 * efficiency in both directions (GB/s and us), and absent ceilings giving 0 with a reason.
 * Paths left out of this build (no CUDA, no NCCL) are skipped. */
#include "ceiling.h"
#include "mem.h"
#include "path.h"
#include "report.h"
#include "pattern.h"
#include "rating.h"
#include "tap.h"

#include <string.h>

#define MIB (1u << 20)

static struct gx_ceilings cs;

static void curve(enum gx_ceil_kind kind, int a, int b, const char *absent, int n,
                  const size_t *sizes, const double *medians)
{
    struct gx_ceil_curve c = {.kind = kind, .a = a, .b = b, .n = n};
    struct gx_ceil_point pts[8];
    memset(pts, 0, sizeof pts);
    snprintf(c.absent, sizeof c.absent, "%s", absent ? absent : "");
    for (int i = 0; i < n; i++) {
        pts[i].size = sizes[i];
        pts[i].median = medians[i];
        pts[i].min = medians[i] * 0.9;
        pts[i].max = medians[i] * 1.1;
        pts[i].repeats = medians[i] > 0 ? 7 : 0;
        if (medians[i] <= 0)
            snprintf(pts[i].absent, sizeof pts[i].absent, "out of memory");
    }
    struct gx_err err = {0};
    if (gx_ceilings_add(&cs, &c, pts, &err) != GX_OK)
        printf("# %s\n", err.msg);
}

static const struct gx_path_ops *ops_of(const char *name)
{
    int i = gx_path_lookup(name);
    return i >= 0 ? gx_paths[i].ops : NULL;
}

/* A result of `path` ready for its hook. */
static struct gx_result result(const char *path, const char *pattern, int a, int b, int same,
                               size_t size, size_t chunk, double median, const char *mem)
{
    int kind = gx_pattern_lookup(pattern);
    struct gx_result r = {
        .path = path, .src_mem = mem, .dst_mem = mem, .pattern = pattern, .pattern_kind = kind,
        .family = gx_pattern_table[kind]->family, .unit = gx_pattern_table[kind]->unit, .a = a, .b = b,
        .src_kind = gx_mem_lookup(mem), .dst_kind = gx_mem_lookup(mem),
        .same_node = same, .size = size, .chunk = chunk, .depth = chunk ? 2 : 0,
        .state = GX_STATE_OK,
    };
    r.stats.median = median;
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

/* A result beyond its ceiling names the point that bounds it; that point measured again widens
 * it (range over both, the faster median, the repeats counted as rechecked). */
static void check_widen(void)
{
    struct gx_result r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 20, "pageable");
    apply("host", &r); /* mpi_bw 0->1 at 1M: 12, repeats 10.8 .. 13.2 */
    const struct gx_ceil_range *at = &r.ceiling_range;
    ok(r.ceiling_exceeded && at->kind == GX_CEIL_MPI_BW && at->a == 0 && at->b == 1 &&
           at->size == 1 * MIB,
       "a result beyond its ceiling names the point: mpi_bw 0->1 at 1M");
    struct gx_ceil_point again = {.size = 1 * MIB, .median = 19, .min = 17, .max = 21, .repeats = 3};
    ok(gx_ceil_point_widen(&cs, at->kind, at->a, at->b, at->size, &again) == 1,
       "the point measured again is merged");
    apply("host", &r);
    const struct gx_ceil_curve *k = gx_ceil_find(&cs, GX_CEIL_MPI_BW, 0, 1);
    const struct gx_ceil_point *p = NULL;
    for (int i = 0; k && i < k->n; i++)
        p = k->pts[i].size == 1 * MIB ? &k->pts[i] : p;
    ok(p && r.ceiling == 19 && !r.ceiling_exceeded && p->min == 12 * 0.9 && p->max == 21 &&
           p->repeats == 10 && p->rechecked == 3,
       "widened: median the faster (19), range over both (10.8 .. 21), 10 repeats, 3 rechecked; "
       "the result (20) within it");
    again = (struct gx_ceil_point){.size = 8, .median = 3, .min = 2.5, .max = 3.5, .repeats = 3};
    struct gx_ceil_point slower = again;
    slower.median = 2.5;
    ok(gx_ceil_point_widen(&cs, GX_CEIL_MPI_LAT, 0, 1, 8, &again) == 1 &&
           gx_ceil_value(&cs, GX_CEIL_MPI_LAT, 0, 1, 8, what, sizeof what) == 2.0 &&
           gx_ceil_point_widen(&cs, GX_CEIL_MPI_LAT, 0, 1, 8, &slower) == 1 &&
           gx_ceil_value(&cs, GX_CEIL_MPI_LAT, 0, 1, 8, what, sizeof what) == 2.0,
       "latency: the lower median stays the ceiling (2.0 us against 3.0 and 2.5)");
    again.repeats = 0;
    ok(gx_ceil_point_widen(&cs, GX_CEIL_MPI_LAT, 0, 1, 8, &again) == 0 &&
           gx_ceil_point_widen(&cs, GX_CEIL_MPI_BW, 0, 1, 3 * MIB, &slower) == 0 &&
           gx_ceil_point_widen(&cs, GX_CEIL_MPI_BW, 1, 0, 8, &slower) == 0,
       "nothing merged without repeats, at a size or for a pair not calibrated");
    cJSON *cal = gx_calibration_json(&cs);
    cJSON *pts = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
                                         cJSON_GetObjectItem(cal, "rank_pairs"), 0), "mpi_bw"),
                                     "points");
    int rechecked = 0;
    const cJSON *q;
    cJSON_ArrayForEach(q, pts) {
        const cJSON *n = cJSON_GetObjectItem(q, "rechecked");
        rechecked += cJSON_IsNumber(n) ? n->valueint : 0;
    }
    ok(rechecked == 3, "calibration JSON: the widened point says 3 rechecked");
    cJSON_Delete(cal);
    r.ceiling_rechecked = 1;
    cJSON *o = gx_result_json(&r);
    ok(o && cJSON_IsTrue(cJSON_GetObjectItem(o, "ceiling_rechecked")),
       "result JSON: ceiling_rechecked");
    cJSON_Delete(o);
}

int main(void)
{
    const size_t s1m[] = {1 * MIB}, s1m4m[] = {1 * MIB, 4 * MIB}, s8m[] = {8 * MIB},
                 s8[] = {8}, s1m8m[] = {1 * MIB, 8 * MIB};
    curve(GX_CEIL_H2D, 0, -1, NULL, 2, s1m4m, (double[]){20, 22});
    curve(GX_CEIL_H2D, 1, -1, NULL, 2, s1m4m, (double[]){18, 0});
    curve(GX_CEIL_D2H, 0, -1, NULL, 1, s1m, (double[]){10});
    curve(GX_CEIL_D2H, 1, -1, NULL, 1, s1m, (double[]){25});
    curve(GX_CEIL_MPI_BW, 0, 1, NULL, 2, s1m8m, (double[]){12, 15});
    curve(GX_CEIL_MPI_BIBW, 0, 1, NULL, 1, s1m, (double[]){30});
    curve(GX_CEIL_MPI_LAT, 0, 1, NULL, 1, s8, (double[]){2.0});
    /* MPI between pinned buffers: the staged paths' stage, apart from pageable (above). */
    curve(GX_CEIL_MPI_PINNED_BW, 0, 1, NULL, 2, s1m8m, (double[]){11, 13});
    curve(GX_CEIL_MPI_PINNED_BW, 0, 2, NULL, 1, s1m, (double[]){11});
    curve(GX_CEIL_MPI_PINNED_BIBW, 0, 1, NULL, 1, s1m, (double[]){24});
    curve(GX_CEIL_MPI_PINNED_LAT, 0, 1, NULL, 1, s8, (double[]){3.0});
    curve(GX_CEIL_PEER, 0, 1, NULL, 1, s8m, (double[]){100});
    curve(GX_CEIL_PEER_BIDIR, 0, 1, NULL, 1, s8m, (double[]){180});
    curve(GX_CEIL_H2D, 2, -1, "no GPU chosen", 0, NULL, NULL);
    curve(GX_CEIL_D2H, 2, -1, "no GPU chosen", 0, NULL, NULL);
    /* Mapped host memory and managed memory per GPU at 1M; each rank's values differ, so that
     * a stage read at the wrong rank's GPU gives another ceiling. */
    curve(GX_CEIL_MAPPED_WRITE, 0, -1, NULL, 1, s1m, (double[]){50});
    curve(GX_CEIL_MAPPED_READ, 0, -1, NULL, 1, s1m, (double[]){48});
    curve(GX_CEIL_MAPPED_WRITE, 1, -1, NULL, 1, s1m, (double[]){45});
    curve(GX_CEIL_MAPPED_READ, 1, -1, NULL, 1, s1m, (double[]){40});
    curve(GX_CEIL_MAPPED_WRITE, 2, -1, NULL, 1, s1m, (double[]){50});
    curve(GX_CEIL_MAPPED_READ, 2, -1, "no GPU chosen", 0, NULL, NULL);
    curve(GX_CEIL_PREFETCH_HOST, 0, -1, NULL, 1, s1m, (double[]){10});
    curve(GX_CEIL_PREFETCH_GPU, 0, -1, NULL, 1, s1m, (double[]){9});
    curve(GX_CEIL_FAULT_IN, 0, -1, NULL, 1, s1m, (double[]){3});
    curve(GX_CEIL_PREFETCH_HOST, 1, -1, NULL, 1, s1m, (double[]){11});
    curve(GX_CEIL_PREFETCH_GPU, 1, -1, NULL, 1, s1m, (double[]){40});
    curve(GX_CEIL_FAULT_IN, 1, -1, NULL, 1, s1m, (double[]){6});
    curve(GX_CEIL_MPI_BW, 0, 2, NULL, 1, s1m, (double[]){12});
    /* Both directions at once on one GPU: less than twice either way. */
    curve(GX_CEIL_COPY_BIDIR, 0, -1, NULL, 1, s1m, (double[]){33});
    curve(GX_CEIL_COPY_BIDIR, 1, -1, NULL, 1, s1m, (double[]){31});
    curve(GX_CEIL_MAPPED_BIDIR, 0, -1, NULL, 1, s1m, (double[]){60});
    curve(GX_CEIL_MAPPED_BIDIR, 1, -1, NULL, 1, s1m, (double[]){55});
    /* MPI on managed memory on the host: the unified paths' MPI stage, slower than pinned. */
    curve(GX_CEIL_MPI_MANAGED_BW, 0, 1, NULL, 2, s1m8m, (double[]){11, 13});
    curve(GX_CEIL_MPI_MANAGED_BW, 0, 2, NULL, 1, s1m, (double[]){12});
    curve(GX_CEIL_MPI_MANAGED_BIBW, 0, 1, NULL, 1, s1m, (double[]){20});
    curve(GX_CEIL_MPI_MANAGED_BW, 1, 0, NULL, 1, s1m, (double[]){7});
    /* The same on pages the driver has just moved: unified-prefetch's MPI stage. */
    curve(GX_CEIL_MPI_MIGRATED_BW, 0, 1, NULL, 1, s1m, (double[]){11});
    curve(GX_CEIL_MPI_MIGRATED_BW, 0, 2, NULL, 1, s1m, (double[]){12});
    curve(GX_CEIL_MPI_MIGRATED_BIBW, 0, 1, NULL, 1, s1m, (double[]){20});
    curve(GX_CEIL_MPI_MIGRATED_BW, 1, 0, NULL, 1, s1m, (double[]){1.5});
    curve(GX_CEIL_PREFETCH_GPU, 2, -1, "GPU 2 has no concurrent managed access", 1, s1m,
          (double[]){0});

    /* ---- the lookups and the choice of the slowest stage, whatever is built in */
    char why[256];
    ok(gx_ceil_value(&cs, GX_CEIL_MPI_BW, 0, 1, 8 * MIB, why, sizeof why) == 15,
       "value at a calibrated size");
    ok(gx_ceil_value(&cs, GX_CEIL_MPI_BW, 0, 1, 2 * MIB, why, sizeof why) == 0 &&
           strstr(why, "not calibrated at 2097152"), "no value at a size not calibrated (%s)", why);
    ok(gx_ceil_value(&cs, GX_CEIL_H2D, 1, -1, 4 * MIB, why, sizeof why) == 0 &&
           strstr(why, "out of memory"), "a point absent gives 0 and its reason (%s)", why);
    ok(gx_ceil_value(&cs, GX_CEIL_H2D, 2, -1, 1 * MIB, why, sizeof why) == 0 &&
           strstr(why, "no GPU chosen"), "an absent curve gives 0 and its reason (%s)", why);
    const struct gx_ceil_stage st[] = {{"D2H", GX_CEIL_D2H, 0, -1, 1},
                                       {"MPI", GX_CEIL_MPI_BW, 0, 1, 1},
                                       {"H2D", GX_CEIL_H2D, 1, -1, 1}};
    ok(gx_ceil_slowest(&cs, st, 3, 1 * MIB, why, sizeof why, NULL) == 10 &&
           !strcmp(why, "slowest stage: D2H at 1M"), "slowest of three stages (%s)", why);
    const struct gx_ceil_stage st2[] = {{"MPI both ways", GX_CEIL_MPI_BIBW, 0, 1, 1},
                                        {"H2D x2", GX_CEIL_H2D, 1, -1, 2}};
    ok(gx_ceil_slowest(&cs, st2, 2, 1 * MIB, why, sizeof why, NULL) == 30 &&
           strstr(why, "MPI both ways"), "a one-way stage counts twice against a both-ways total");
    const struct gx_ceil_stage st3[] = {{"D2H", GX_CEIL_D2H, 0, -1, 1},
                                        {"H2D", GX_CEIL_H2D, 2, -1, 1}};
    ok(gx_ceil_slowest(&cs, st3, 2, 1 * MIB, why, sizeof why, NULL) == 0 && strstr(why, "no GPU"),
       "one stage absent: no ceiling rather than a wrong one (%s)", why);

    /* ---- host MPI (always built in) */
    struct gx_result r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 6, "pageable");
    ok(apply("host", &r) == 12 && near(r.efficiency, 0.5) && strstr(r.ceiling_what, "MPI host"),
       "host bw: MPI host bandwidth at the size, efficiency median / ceiling (%s)", what);
    r = result("mpi", "latency", 0, 1, 1, 8, 0, 4.0, "pageable");
    ok(apply("mpi", &r) == 2.0 && near(r.efficiency, 0.5) && strstr(r.ceiling_what, "latency"),
       "host latency: MPI latency, efficiency ceiling / median (lower is better)");
    r = result("mpi", "latency", 0, 1, 1, 8, 0, 6.0, "pinned");
    ok(apply("mpi", &r) == 3.0 && near(r.efficiency, 0.5) &&
           strstr(r.ceiling_what, "MPI host latency, pinned"),
       "latency on pinned buffers: MPI latency on pinned buffers (%s)", what);
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 6, "pinned");
    ok(apply("host", &r) == 11 && strstr(r.ceiling_what, "MPI host bandwidth, pinned"),
       "host bw on pinned buffers: MPI on pinned buffers, not pageable (12) (%s)", what);
    r = result("host", "bibw", 0, 1, 1, 1 * MIB, 0, 12, "pinned");
    ok(apply("host", &r) == 24, "host bibw on pinned buffers: MPI on pinned both ways");
    r = result("host", "latency", 0, 1, 1, 16, 0, 4.0, "pageable");
    ok(apply("host", &r) == 0 && r.efficiency == 0 && strstr(r.ceiling_what, "not calibrated"),
       "latency at a size without a ceiling: 0, with the reason");
    r = result("host", "bibw", 0, 1, 1, 1 * MIB, 0, 15, "pageable");
    ok(apply("host", &r) == 30 && near(r.efficiency, 0.5), "host bibw: MPI both ways");
    r = result("mpi", "bw", 0, 1, 1, 8 * MIB, 0, 50, "device");
    ok(apply("mpi", &r) == 100 && strstr(r.ceiling_what, "peer copy"),
       "device mpi on one node: peer copy (%s)", what);
    r = result("mpi", "bibw", 0, 1, 1, 8 * MIB, 0, 90, "device");
    ok(apply("mpi", &r) == 180 && near(r.efficiency, 0.5), "device mpi bibw: peer copy both ways");
    r = result("mpi", "latency", 0, 1, 1, 8, 0, 9, "device");
    ok(apply("mpi", &r) == 0 && r.ceiling_what[0], "device mpi latency: none, with the reason");
    r = result("host", "bw", 2, 3, 1, 1 * MIB, 0, 6, "pageable");
    ok(apply("host", &r) == 0 && r.efficiency == 0 && strstr(r.ceiling_what, "not calibrated"),
       "a pair without calibration: 0");
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 6, "pageable");
    gx_ceiling_apply(NULL, ops_of("host"), &r, what, sizeof what);
    ok(r.ceiling == 0 && r.efficiency == 0 && !r.ceiling_what, "calibration off: nothing set");
    r.state = GX_STATE_SKIPPED;
    gx_ceiling_apply(&cs, ops_of("host"), &r, what, sizeof what);
    ok(r.ceiling == 0 && !r.ceiling_what, "a skipped result gets no ceiling");

    /* ---- a result beyond its ceiling's spread (repeats 0.9x..1.1x the median here) */
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 12 * 1.05, "pageable");
    ok(apply("host", &r) == 12 && !r.ceiling_exceeded && near(r.ceiling_range.hi, 13.2),
       "bw 5%% above the ceiling's median, within its spread: not flagged");
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 12 * 1.12, "pageable");
    ok(apply("host", &r) == 12 && r.ceiling_exceeded && r.efficiency > 1.11,
       "bw 12%% above, beyond every repeat of the ceiling: flagged");
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 12 * 1.12, "pageable");
    r.stats.ci_lo = 12 * 1.08, r.stats.ci_hi = 12 * 1.15;
    ok(apply("host", &r) == 12 && !r.ceiling_exceeded,
       "bw median 12%% above, but the interval of its median reaches into the spread: not flagged");
    r.stats.ci_lo = 12 * 1.11;
    ok(apply("host", &r) == 12 && r.ceiling_exceeded,
       "bw whose median's whole interval is beyond every repeat: flagged");
    r = result("mpi", "latency", 0, 1, 1, 8, 0, 2.0 * 0.85, "pageable");
    r.stats.ci_lo = 2.0 * 0.80, r.stats.ci_hi = 2.0 * 0.92;
    ok(apply("mpi", &r) == 2.0 && !r.ceiling_exceeded,
       "latency median below the fastest repeat, its interval reaching back into the spread: "
       "not flagged");
    r = result("mpi", "latency", 0, 1, 1, 8, 0, 2.0 * 0.85, "pageable");
    ok(apply("mpi", &r) == 2.0 && r.ceiling_exceeded,
       "latency below the ceiling's fastest repeat: flagged");
    r = result("mpi", "latency", 0, 1, 1, 8, 0, 2.0 * 0.95, "pageable");
    ok(apply("mpi", &r) == 2.0 && !r.ceiling_exceeded, "latency within the spread: not flagged");
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 12 * 1.12, "pageable");
    apply("host", &r);
    cJSON *j = gx_result_json(&r);
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(j, "ceiling_exceeded");
    ok(ex && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(ex, "reason")) &&
           cJSON_GetObjectItemCaseSensitive(ex, "by") &&
           cJSON_GetObjectItemCaseSensitive(ex, "ceiling_range"),
       "result JSON says ceiling_exceeded: by how much, the ceiling's range, the reason");
    cJSON_Delete(j);

    /* ---- GPU paths */
    r = result("staged", "bw", 0, 1, 0, 8 * MIB, 1 * MIB, 5, "device");
    path_ok("staged", apply("staged", &r) == 10 && near(r.efficiency, 0.5) &&
                          !strcmp(r.ceiling_what, "slowest stage: D2H at 1M"),
            "staged bw: the slowest stage at the chunk size (%s)", what);
    r = result("staged", "bw", 0, 1, 0, 1 * MIB, 4 * MIB, 5, "device");
    path_ok("staged", apply("staged", &r) == 10,
            "staged: a chunk larger than the message is the message");
    r = result("staged", "bw", 1, 0, 0, 1 * MIB, 1 * MIB, 5, "device");
    path_ok("staged", apply("staged", &r) == 0 && strstr(r.ceiling_what, "mpi_pinned_bw 1->0"),
            "staged: a missing MPI stage gives no ceiling (%s)", what);
    /* One node: staged goes through shared memory, so MPI is no stage of it (1->0 has none
     * calibrated, yet the result has a ceiling); staged-mpi keeps its three. */
    r = result("staged", "bw", 1, 0, 1, 8 * MIB, 1 * MIB, 5, "device");
    path_ok("staged", apply("staged", &r) == 20 && !strstr(r.ceiling_what, "MPI") &&
                          !strcmp(r.ceiling_what, "slowest stage: H2D at 1M"),
            "staged on one node: the slower of D2H at the sender and H2D at the receiver (%s)",
            what);
    r = result("staged", "bibw", 0, 1, 1, 8 * MIB, 1 * MIB, 5, "device");
    path_ok("staged", apply("staged", &r) == 31 && strstr(r.ceiling_what, "D2H and H2D at once"),
            "staged bibw on one node: the slower GPU's copies both ways at once (%s)", what);
    r = result("staged-mpi", "bibw", 0, 1, 1, 8 * MIB, 1 * MIB, 5, "device");
    path_ok("staged-mpi", apply("staged-mpi", &r) == 24 && strstr(r.ceiling_what, "MPI"),
            "staged-mpi bibw: MPI both ways below either GPU's copies both ways (%s)", what);
    r = result("staged-mpi", "bw", 1, 0, 1, 8 * MIB, 1 * MIB, 5, "device");
    path_ok("staged-mpi", apply("staged-mpi", &r) == 0 && strstr(r.ceiling_what, "mpi_pinned_bw 1->0"),
            "staged-mpi on one node: MPI is still a stage (%s)", what);
    r = result("staged-mpi", "bw", 0, 1, 1, 8 * MIB, 1 * MIB, 5, "device");
    path_ok("staged-mpi", apply("staged-mpi", &r) == 10 && strstr(r.ceiling_what, "D2H"),
            "staged-mpi: the slowest of its three stages (%s)", what);
    /* zerocopy: the slower of the sender's kernel writing mapped host memory and the
     * receiver's kernel reading it, at the chunk; across nodes MPI host-to-host joins. */
    r = result("zerocopy", "bw", 0, 1, 1, 8 * MIB, 1 * MIB, 20, "device");
    path_ok("zerocopy",
            apply("zerocopy", &r) == 40 && near(r.efficiency, 0.5) &&
                !strcmp(r.ceiling_what, "slowest stage: kernel reading mapped host at 1M"),
            "zerocopy one node: min(write of the sender's GPU, read of the receiver's) at the "
            "chunk (%s)", what);
    r = result("zerocopy", "bw", 1, 0, 1, 8 * MIB, 1 * MIB, 20, "device");
    path_ok("zerocopy", apply("zerocopy", &r) == 45 && strstr(r.ceiling_what, "writing"),
            "zerocopy 1->0: the write is rank 1's GPU's, the read rank 0's (%s)", what);
    r = result("zerocopy", "bw", 0, 1, 1, 1 * MIB, 0, 20, "device");
    path_ok("zerocopy", apply("zerocopy", &r) == 40,
            "zerocopy unchunked: rated at the message size");
    r = result("zerocopy", "bw", 0, 1, 0, 8 * MIB, 1 * MIB, 6, "device");
    path_ok("zerocopy", apply("zerocopy", &r) == 11 &&
                            strstr(r.ceiling_what, "stage: MPI host-to-host at 1M"),
            "zerocopy across nodes: the MPI host-to-host stage joins (%s)", what);
    r = result("zerocopy", "bibw", 0, 1, 1, 8 * MIB, 1 * MIB, 40, "device");
    path_ok("zerocopy", apply("zerocopy", &r) == 55 &&
                            strstr(r.ceiling_what, "writing and reading mapped host at once"),
            "zerocopy both ways on one node: the slower GPU's kernels both ways at once (%s)",
            what);
    r = result("zerocopy", "bibw", 0, 1, 0, 8 * MIB, 1 * MIB, 15, "device");
    path_ok("zerocopy", apply("zerocopy", &r) == 24 && strstr(r.ceiling_what, "both ways"),
            "zerocopy both ways across nodes: MPI host-to-host both ways (%s)", what);
    r = result("zerocopy", "bw", 0, 2, 1, 1 * MIB, 0, 20, "device");
    path_ok("zerocopy", apply("zerocopy", &r) == 0 && r.efficiency == 0 &&
                            strstr(r.ceiling_what, "mapped_read of rank 2's GPU absent: no GPU"),
            "zerocopy: the receiver's read absent gives no ceiling, with the reason (%s)", what);
    r = result("zerocopy", "bw", 0, 1, 1, 8 * MIB, 4 * MIB, 20, "device");
    path_ok("zerocopy", apply("zerocopy", &r) == 0 && strstr(r.ceiling_what, "not calibrated at"),
            "zerocopy: a chunk not calibrated gives no ceiling (%s)", what);

    /* unified-prefetch: the sender's prefetch to the host, MPI, the receiver's prefetch to the
     * GPU; unified-demand: MPI and the receiver's fault-in. */
    r = result("unified-prefetch", "bw", 0, 1, 1, 8 * MIB, 1 * MIB, 5, "managed");
    path_ok("unified-prefetch", apply("unified-prefetch", &r) == 10 && near(r.efficiency, 0.5) &&
                                    !strcmp(r.ceiling_what,
                                            "slowest stage: prefetch to host at 1M"),
            "unified-prefetch: the slowest of the sender's prefetch to the host, MPI, the "
            "receiver's prefetch to the GPU, at the chunk (%s)", what);
    r = result("unified-prefetch", "bw", 0, 1, 1, 1 * MIB, 0, 5, "managed");
    path_ok("unified-prefetch", apply("unified-prefetch", &r) == 10,
            "unified-prefetch unchunked: rated at the message size");
    r = result("unified-prefetch", "bw", 1, 0, 1, 8 * MIB, 1 * MIB, 1.2, "managed");
    path_ok("unified-prefetch", apply("unified-prefetch", &r) == 1.5 && near(r.efficiency, 0.8) &&
                                    !strcmp(r.ceiling_what, "slowest stage: MPI on managed pages "
                                            "just moved to the host at 1M"),
            "unified-prefetch: MPI on managed pages just moved to the host (not on resident "
            "ones: 7, nor on pinned: 11) where it is the slowest (%s)", what);
    r = result("unified-prefetch", "bibw", 0, 1, 1, 1 * MIB, 0, 9, "managed");
    path_ok("unified-prefetch", apply("unified-prefetch", &r) == 18 &&
                                    strstr(r.ceiling_what, "prefetch to GPU (both ways)"),
            "unified-prefetch both ways: per-GPU stages count twice, either GPU's (%s)", what);
    r = result("unified-prefetch", "bw", 0, 2, 1, 1 * MIB, 0, 5, "managed");
    path_ok("unified-prefetch", apply("unified-prefetch", &r) == 0 &&
                                    strstr(r.ceiling_what, "prefetch_to_gpu of rank 2's GPU "
                                           "absent: GPU 2 has no concurrent managed access"),
            "unified-prefetch: the receiver's prefetch absent gives no ceiling, with the reason "
            "(%s)", what);
    r = result("unified-demand", "bw", 0, 1, 1, 8 * MIB, 1 * MIB, 3, "managed");
    path_ok("unified-demand", apply("unified-demand", &r) == 6 && near(r.efficiency, 0.5) &&
                                  !strcmp(r.ceiling_what,
                                          "slowest stage: kernel faulting pages in at 1M"),
            "unified-demand: min(MPI, the receiver's fault-in) at the chunk (%s)", what);
    r = result("unified-demand", "bw", 1, 0, 1, 1 * MIB, 0, 2, "managed");
    path_ok("unified-demand", apply("unified-demand", &r) == 3,
            "unified-demand: MPI on resident managed pages (7), not on just-moved ones (1.5): "
            "the fault-in bounds it (%s)", what);
    r = result("unified-demand", "bibw", 0, 1, 1, 1 * MIB, 0, 3, "managed");
    path_ok("unified-demand", apply("unified-demand", &r) == 6 &&
                                  strstr(r.ceiling_what, "faulting pages in (both ways)"),
            "unified-demand both ways: twice the slower GPU's fault-in (%s)", what);
    r = result("unified-demand", "bw", 0, 1, 1, 8 * MIB, 0, 3, "managed");
    path_ok("unified-demand", apply("unified-demand", &r) == 0 &&
                                  strstr(r.ceiling_what, "fault_in of rank 1's GPU was not "
                                         "calibrated at 8388608 bytes"),
            "unified-demand: fault-in not calibrated at the size, no ceiling, the reason (%s)",
            what);
    r = result("unified-demand", "bw", 0, 3, 1, 1 * MIB, 0, 3, "managed");
    path_ok("unified-demand", apply("unified-demand", &r) == 0 &&
                                  strstr(r.ceiling_what, "not calibrated"),
            "unified-demand: a pair without calibration, no ceiling (%s)", what);
    r = result("p2p", "bw", 0, 1, 1, 8 * MIB, 1 * MIB, 50, "device");
    path_ok("p2p", apply("p2p", &r) == 100 && strstr(r.ceiling_what, "peer copy at 8M"),
            "p2p: peer copy at the message size, not the chunk (%s)", what);
    r = result("p2p", "latency", 0, 1, 1, 8, 0, 3, "device");
    path_ok("p2p", apply("p2p", &r) == 0, "p2p latency: no ceiling");
    r = result("nccl", "bw", 0, 1, 1, 8 * MIB, 0, 50, "device");
    path_ok("nccl", apply("nccl", &r) == 100, "nccl on one node: peer copy");
    r = result("nccl", "bw", 0, 1, 0, 1 * MIB, 0, 6, "device");
    path_ok("nccl", apply("nccl", &r) == 11 && strstr(r.ceiling_what, "MPI"),
            "nccl across nodes: MPI host bandwidth on pinned buffers");

    /* ---- the report */
    r = result("host", "bw", 0, 1, 1, 1 * MIB, 0, 6, "pageable");
    apply("host", &r);
    cJSON *o = gx_result_json(&r);
    ok(o && cJSON_GetObjectItem(o, "ceiling")->valuedouble == 12 &&
           cJSON_GetObjectItem(o, "efficiency")->valuedouble == 0.5 &&
           cJSON_IsString(cJSON_GetObjectItem(o, "ceiling_what")),
       "result JSON: ceiling, ceiling_what, efficiency");
    cJSON_Delete(o);
    cJSON *cal = gx_calibration_json(&cs);
    cJSON *rp = cJSON_GetArrayItem(cJSON_GetObjectItem(cal, "rank_pairs"), 0);
    cJSON *lat = cJSON_GetObjectItem(rp, "mpi_latency");
    cJSON *gpus = cJSON_GetObjectItem(cal, "gpus");
    cJSON *g2 = cJSON_GetArrayItem(gpus, 2);
    ok(cal && cJSON_GetArraySize(gpus) == 3 &&
           cJSON_GetArraySize(cJSON_GetObjectItem(cal, "gpu_pairs")) == 1 &&
           !strcmp(cJSON_GetObjectItem(lat, "unit")->valuestring, "us") &&
           cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(lat, "points"), 0),
                               "median")->valuedouble == 2.0 &&
           cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(g2, "h2d"), "absent")) &&
           cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(rp, "mpi_managed_bw"),
                                                  "points")) == 2 &&
           cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(rp, "mpi_migrated_bibw"),
                                                  "points")) == 1,
       "calibration JSON: per GPU, per GPU pair, per rank pair; absent with the reason");
    cJSON *g0 = cJSON_GetArrayItem(gpus, 0);
    const char *per_gpu[] = {"mapped_write", "mapped_read", "prefetch_to_host",
                             "prefetch_to_gpu", "fault_in", "copy_bidir", "mapped_bidir"};
    int all_there = 1;
    for (size_t i = 0; i < sizeof per_gpu / sizeof *per_gpu; i++) {
        cJSON *k = cJSON_GetObjectItem(g0, per_gpu[i]);
        all_there &= k && !strcmp(cJSON_GetObjectItem(k, "unit")->valuestring, "GB/s") &&
                     cJSON_GetArraySize(cJSON_GetObjectItem(k, "points")) == 1;
    }
    ok(all_there && cJSON_GetArraySize(cJSON_GetObjectItem(cal, "rank_pairs")) == 3 &&
           cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(g2, "mapped_read"), "absent")),
       "calibration JSON: mapped and managed memory's ceilings and both-ways ones per GPU, in "
       "GB/s");
    cJSON_Delete(cal);
    check_widen();
    gx_ceilings_free(&cs);
    return tap_done();
}
