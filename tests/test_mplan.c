/* The measurement plan: what the options expand to, once (groups, steps, candidates), and the
 * progress decision of the table's output. Paths left out of this build count as skipped groups
 * with no steps. */
#include "config.h"
#include "job.h"
#include "mplan.h"
#include "mplan_impl.h"
#include "option_table.h"
#include "output.h"
#include "path.h"
#include "pattern.h"
#include "probe.h"
#include "tap.h"

#include <math.h>

#include <string.h>

static struct gx_options o;
static struct gx_mplan plan;
static struct gx_layout layout;

/* Parses `line` and expands it for nranks ranks (on the nodes node_of gives; NULL: one node):
 * GX_OK or the error. */
static int make_on(const char *line, int nranks, const int *node_of)
{
    char buf[1024], *argv[64];
    int argc = 0;
    struct gx_err err = {0};
    snprintf(buf, sizeof buf, "gpuxfer %s", line);
    for (char *t = strtok(buf, " "); t && argc < 63; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    gx_mplan_free(&plan);
    gx_layout_free(&layout);
    int rc = gx_options_parse(argc, argv, &o, NULL, NULL, &err);
    if (rc == GX_OK)
        rc = gx_layout_make(nranks, node_of, &layout, &err);
    if (rc == GX_OK)
        rc = gx_mplan_make(&o, &layout, &plan, &err);
    if (rc != GX_OK)
        printf("# %s: %s\n", line, err.msg);
    return rc;
}

static int make(const char *line, int nranks)
{
    return make_on(line, nranks, NULL);
}

static int built(const char *path)
{
    int i = gx_path_lookup(path);
    return i >= 0 && gx_paths[i].ops;
}

/* Steps of the groups of one path. */
static size_t steps_of(const char *path)
{
    size_t n = 0;
    for (size_t g = 0; g < plan.ngroups; g++)
        if (plan.groups[g].probe < 0 && plan.groups[g].path == gx_path_lookup(path))
            n += plan.groups[g].n;
    return n;
}

static int probe_index(const char *name)
{
    for (int i = 0; i < gx_probe_count; i++)
        if (!strcmp(gx_probes[i].name, name))
            return i;
    return -1;
}

/* The steps of a probe's groups, and their (pattern, size) as "bw:1048576 latency:8 ...". */
static size_t probe_steps(const char *probe, char *text, size_t len)
{
    size_t n = 0;
    if (text)
        text[0] = '\0';
    for (size_t g = 0; g < plan.ngroups; g++) {
        if (plan.groups[g].probe != probe_index(probe))
            continue;
        for (size_t i = 0; i < plan.groups[g].n; i++, n++) {
            const struct gx_mstep *st = &plan.steps[plan.groups[g].first + i];
            if (text)
                snprintf(text + strlen(text), len - strlen(text), "%s%s:%zu", n ? " " : "",
                         gx_pattern_table[st->pattern]->name, st->size);
        }
    }
    return n;
}

/* Every result step right after the probe step of its pattern and size (each point measured
 * just before the result it bounds, where no earlier step of the round measured it). */
static int probes_just_before(void)
{
    const struct gx_mstep *prev = NULL;
    int prev_probe = 0, results = 0;
    for (size_t g = 0; g < plan.ngroups; g++)
        for (size_t i = 0; i < plan.groups[g].n; i++) {
            const struct gx_mstep *st = &plan.steps[plan.groups[g].first + i];
            if (plan.groups[g].probe < 0) {
                if (!prev || !prev_probe || prev->size != st->size ||
                    prev->pattern != st->pattern)
                    return 0;
                results++;
            }
            prev = st;
            prev_probe = plan.groups[g].probe >= 0;
        }
    return results > 0;
}

static const struct gx_mstep *first_step(const char *path, size_t size)
{
    for (size_t g = 0; g < plan.ngroups; g++)
        for (size_t i = 0; plan.groups[g].probe < 0 &&
                           plan.groups[g].path == gx_path_lookup(path) && i < plan.groups[g].n;
             i++)
            if (plan.steps[plan.groups[g].first + i].size == size)
                return &plan.steps[plan.groups[g].first + i];
    return NULL;
}

/* The window of path's step at size, -1 where the plan has none. */
static long window_of(const char *path, size_t size)
{
    const struct gx_mstep *s = first_step(path, size);
    return s ? s->window : -1;
}

/* The estimated seconds of an iteration of path's step of pattern at size (its data check, one
 * message each way, differs between bw and bibw), -1 where the plan has none. */
static double estimate_of(const char *path, int pattern, size_t size)
{
    for (size_t g = 0; g < plan.ngroups; g++)
        for (size_t i = 0; plan.groups[g].probe < 0 &&
                           plan.groups[g].path == gx_path_lookup(path) && i < plan.groups[g].n;
             i++) {
            const struct gx_mstep *s = &plan.steps[plan.groups[g].first + i];
            if (s->pattern == pattern && s->size == size)
                return gx_mstep_paced_iteration(s);
        }
    return -1;
}

/* A large host step settles at the spread of the measured window whose samples last as long as
 * its iterations (a 1 MiB window's few milliseconds hold a descheduling whole); a small one at
 * the round trips'. */
static void host_spread(void)
{
    struct gx_measured_pace m = {.us = 1, .gbps_near = 10, .gbps_far = 10, .cv_small = 0.03,
                                 .cv_near = 0.06, .cv_far = 0.01, .near_s = 0.005,
                                 .far_s = 0.02, .bytes_near = GX_MIB, .bytes_far = 64 * GX_MIB};
    int rc = make("--path host --pattern bw --sizes 4K,256K,64M --ceilings off", 2);
    gx_mplan_host_pace(&plan, &m);
    const struct gx_mstep *s4k = first_step("host", 4096), *s256k = first_step("host", 256 * 1024);
    const struct gx_mstep *s64m = first_step("host", 64 * GX_MIB);
    ok(rc == GX_OK && s4k && s256k && s64m && s4k->dry_cv == 0.03 && s64m->dry_cv == 0.01 &&
           gx_mstep_paced_iteration(s64m) >= m.far_s && s256k->dry_cv > 0.01 &&
           s256k->dry_cv < 0.06 && gx_mstep_paced_iteration(s256k) > m.near_s &&
           gx_mstep_paced_iteration(s256k) < m.far_s,
       "host spread: 4K at the round trips' (%g), 64M's iterations of %g s at the 64 MiB "
       "window's (%g), 256K's of %g s between the windows' (%g)",
       s4k ? s4k->dry_cv : -1, s64m ? gx_mstep_paced_iteration(s64m) : -1,
       s64m ? s64m->dry_cv : -1, s256k ? gx_mstep_paced_iteration(s256k) : -1,
       s256k ? s256k->dry_cv : -1);
    m.far_s = 0;
    rc = make("--path host --pattern bw --sizes 64M --ceilings off", 2);
    gx_mplan_host_pace(&plan, &m);
    s64m = first_step("host", 64 * GX_MIB);
    ok(rc == GX_OK && s64m && s64m->dry_cv == 0.06,
       "host spread: without the 64 MiB window's length, the 1 MiB window's (%g)",
       s64m ? s64m->dry_cv : -1);
}

/* A probe that stages through pinned memory of its own sets it up every visit: its group's
 * set-up counts it at pinned memory's pace, each rank its own at once. */
static void probe_staging(void)
{
    int ce = probe_index("copy-engines");
    if (ce < 0 || !gx_probes[ce].ops) {
        skip("the copy-engines probe is not in this build (no CUDA)");
        return;
    }
    int rc = make("--path staged --pattern bw --sizes 1G --ceilings full", 2);
    double pace[GX_MEM_COUNT] = {[GX_MEM_DEVICE] = 100, [GX_MEM_PINNED] = 1};
    gx_mplan_setup_pace(&plan, pace);
    const struct gx_mgroup *g = NULL;
    for (size_t i = 0; i < plan.ngroups; i++)
        if (plan.groups[i].probe == ce && plan.groups[i].largest == GX_GIB)
            g = &plan.groups[i];
    double own = 2 * (double)GX_GIB / 1e9, buffers = 2 * (double)GX_GIB / 100e9;
    ok(rc == GX_OK && g && fabs(g->own_setup_s / own - 1) < 1e-9 &&
           fabs(gx_mgroup_setup_seconds(g) / (own + buffers) - 1) < 1e-9,
       "copy-engines at 1G: two pinned regions of 1 GiB a rank, %g s at 1 GB/s, beside its "
       "device buffers", g ? g->own_setup_s : -1);
}

/* Host memory's steps at the dry run's pace: bibw at the pace each way of both ways at once,
 * within the caches at one way's where that was not measured. */
static void host_pace(void)
{
    const char *line = "--path host --pattern bw,bibw --sizes 1M,64M --iters 10 --ceilings off";
    struct gx_measured_pace m = {.us = 1, .gbps_near = 4, .gbps_far = 2, .gbps_both = 1,
                                 .copy_gbps = 3, .cv_small = 0.01, .cv_near = 0.01,
                                 .bytes_near = GX_MIB, .bytes_far = 64 * GX_MIB,
                                 .bytes_both = 32 * GX_MIB};
    int rc = make(line, 2);
    gx_mplan_host_pace(&plan, &m);
    double bw = estimate_of("host", GX_PAT_BW, 64 * GX_MIB);
    double bibw = estimate_of("host", GX_PAT_BIBW, 64 * GX_MIB);
    double bw1 = estimate_of("host", GX_PAT_BW, GX_MIB);
    double bibw1 = estimate_of("host", GX_PAT_BIBW, GX_MIB);
    ok(rc == GX_OK && plan.host_paced && bw > 0 && fabs(bibw / bw - 2) < 0.01 &&
           fabs(bibw1 / bw1 - 1) < 1e-9,
       "host pace: bibw at 64M at the pace each way of both ways at once, half one way's "
       "(%g s against bw's %g s); at 1M in the caches as bw (%g, %g)", bibw, bw, bibw1, bw1);
    m.gbps_both_near = 1;
    rc = make(line, 2);
    gx_mplan_host_pace(&plan, &m);
    bw1 = estimate_of("host", GX_PAT_BW, GX_MIB);
    bibw1 = estimate_of("host", GX_PAT_BIBW, GX_MIB);
    ok(rc == GX_OK && fabs(bibw1 / bw1 - 4) < 0.02, /* bibw checks both ways */
       "host pace: bibw at 1M in the caches at the pace each way of both ways at once there, "
       "where measured (%g s against bw's %g s)", bibw1, bw1);
    m.fill_gbps = 2, m.check_gbps = 4;
    rc = make(line, 2);
    gx_mplan_host_pace(&plan, &m);
    double setup[GX_MEM_COUNT] = {[GX_MEM_PAGEABLE] = 0.5};
    gx_mplan_setup_pace(&plan, setup);
    const struct gx_mstep *s64 = NULL;
    for (size_t i = 0; i < plan.nsteps; i++)
        if (plan.steps[i].pattern == GX_PAT_BIBW && plan.steps[i].size == 64 * GX_MIB)
            s64 = &plan.steps[i];
    double want = 2 * (0.064 * 1.048576 / 2 + 0.064 * 1.048576 / 4);
    ok(rc == GX_OK && s64 && fabs(s64->check_fill * s64->paced_s / want - 1) < 1e-9 &&
           fabs(gx_mgroup_setup_seconds(&plan.groups[plan.ngroups - 1]) /
                    (2 * 0.064 * 1.048576 / 0.5) - 1) < 1e-9,
       "host pace: a bibw visit's data check writes and compares 64M each way at the pace "
       "measured (%g s), its buffers at their set-up's", s64 ? s64->check_fill * s64->paced_s
                                                               : 0);
    double one_way = 0, pinned = 0;
    if (make("--path host --pattern bw --sizes 64M --ceilings off", 2) == GX_OK) {
        gx_mplan_setup_pace(&plan, setup);
        one_way = gx_mgroup_setup_seconds(&plan.groups[plan.ngroups - 1]);
    }
    if (make("--path mpi --mem pinned --pattern bw --sizes 64M --ceilings off", 2) == GX_OK) {
        double both[GX_MEM_COUNT] = {[GX_MEM_PINNED] = 0.5};
        gx_mplan_setup_pace(&plan, both);
        pinned = gx_mgroup_setup_seconds(&plan.groups[plan.ngroups - 1]);
    }
    ok(fabs(one_way / (0.064 * 1.048576 / 0.5) - 1) < 1e-9 &&
           fabs(pinned / (2 * 0.064 * 1.048576 / 0.5) - 1) < 1e-9,
       "set-up: one way, each rank writes one of its pageable buffers (%g s), where pinned "
       "ones are locked as allocated, both (%g s)", one_way, pinned);
    m.fill_gbps = m.check_gbps = 0;
    m.gbps_both = 0;
    m.gbps_both_near = 0;
    rc = make(line, 2);
    gx_mplan_host_pace(&plan, &m);
    bw = estimate_of("host", GX_PAT_BW, 64 * GX_MIB);
    bibw = estimate_of("host", GX_PAT_BIBW, 64 * GX_MIB);
    ok(rc == GX_OK && bw > 0 && fabs(bibw / bw - 1) < 1e-9,
       "host pace without both ways' measured: bibw as bw (%g, %g)", bibw, bw);
}

static struct gx_pilot_point pt(const struct gx_mgroup *g, int pattern, size_t size, double secs)
{
    return (struct gx_pilot_point){.run = g->run, .path = g->path, .src_kind = g->src_kind,
                                   .dst_kind = g->dst_kind, .pattern = pattern, .size = size,
                                   .msg_s = secs};
}

/* A library may change its algorithm between two sizes: a step between points is on the line
 * through those two, and beyond the largest along the last two's. */
static void pilot_segments(void)
{
    int rc = make("--path mpi --mem device --pattern bw --sizes 8,1M,16M,64M,1G --ceilings off", 2);
    const struct gx_mgroup *g = &plan.groups[0];
    struct gx_pilot_point pts[] = {
        pt(g, GX_PAT_BW, 8, 1e-5),
        pt(g, GX_PAT_BW, 64 * GX_MIB, 0.5),
        pt(g, GX_PAT_BW, GX_MIB, 1e-3),
    };
    long paced = rc == GX_OK ? gx_mplan_pilot_pace(&plan, pts, 3) : 0;
    double slope = (0.5 - 1e-3) / (double)(63 * GX_MIB);
    double want[5] = {1e-5, 1e-3, 1e-3 + slope * (double)(15 * GX_MIB), 0.5,
                      0.5 + slope * (double)(960 * GX_MIB)};
    int good = paced == 5;
    for (int i = 0; i < 5 && good; i++)
        good = fabs(plan.steps[i].paced_s / (want[i] * (double)plan.steps[i].window) - 1) < 1e-9;
    ok(good, "pilot: 16M on the line through 1M and 64M, 1G along it beyond 64M, whatever the "
             "points' order (%ld paced, 1G %g s a window)", paced, plan.steps[4].paced_s);
}

/* A library that connects lazily spends a second once, in the pilot's first point (its
 * smallest): the sizes below the next point do not each pay it at every visit; a time beside
 * the iterations that grows with the size stays on its line. */
static void pilot_once(void)
{
    int rc = make("--path mpi --mem device --pattern bw --sizes 8,1K,16M,64M,1G --ceilings off",
                  2);
    const struct gx_mgroup *g = &plan.groups[0];
    struct gx_pilot_point pts[] = {pt(g, GX_PAT_BW, 8, 1e-5), pt(g, GX_PAT_BW, GX_MIB, 1e-4),
                                   pt(g, GX_PAT_BW, 64 * GX_MIB, 1e-2)};
    pts[0].measure_s = 1.0, pts[1].measure_s = 0.01, pts[2].measure_s = 0.05;
    long paced = rc == GX_OK ? gx_mplan_pilot_pace(&plan, pts, 3) : 0;
    double want[5] = {0.01, 0.01, 0.01 + 0.04 * 15.0 / 63.0, 0.05, 0.05};
    int good = paced == 5;
    for (int i = 0; i < 5 && good; i++)
        good = fabs(plan.steps[i].measure_s - want[i]) < 1e-12;
    ok(good, "pilot: a first point's lazy connection counted at no size (8 B %g s, 1K %g s), "
             "a time that grows with the size on its line (16M %g s)", plan.steps[0].measure_s,
       plan.steps[1].measure_s, plan.steps[2].measure_s);
}

/* A first visit (its search, warm-up and all of its fewest) takes more of its estimate than
 * a later one: the visits to come at each one's own pace, a later one's in proportion to
 * their leasts until one has run. */
static void budget_visit_paces(void)
{
    struct gx_budget bg = {.seconds = 10, .estimate_left = 4, .estimate_ran = 2,
                           .first_ran = 2, .first_s = 4, .later_per_first = 0.5};
    int first_pace_only = gx_budget_at_risk(&bg, 4);
    bg.estimate_left = 3, bg.estimate_ran = 3, bg.later_s = 2;
    ok(!first_pace_only && gx_budget_at_risk(&bg, 6),
       "budget at risk: first visits at twice their estimates, the 4 s of later ones to come "
       "at once theirs (half a first's by their leasts) fit 5.4 s; a later one that ran at "
       "twice its estimate puts 3 s of them past 3.4 s");
    struct gx_budget pb;
    int rc = make("--path host --pattern bw --sizes 1M,2M --budget 10 --ceilings off", 2);
    gx_budget_start(&pb, &plan, 10, 0);
    ok(rc == GX_OK && pb.later_per_first > 0 && pb.later_per_first < 1 &&
           pb.first_left > 0 && pb.first_left < pb.estimate_left,
       "a plan's later visits take less of their estimates than first ones by their leasts "
       "(%g)", pb.later_per_first);
}

/* A path's first opening for a pair does what later ones do not (NCCL's communicator): the
 * harness takes a group's first visit for its later ones only where an earlier group opened
 * its path for the same pair. */
static void group_opens(void)
{
    int rc = make("--path host,mpi --pattern latency,bw --sizes 8,1M --pairs all", 3);
    size_t firsts = 0, wrong = 0;
    for (size_t g = 0; rc == GX_OK && g < plan.ngroups; g++) {
        const struct gx_mgroup *a = &plan.groups[g];
        int earlier = 0;
        for (size_t e = 0; e < g; e++)
            earlier |= plan.groups[e].path == a->path && plan.groups[e].probe == a->probe &&
                       plan.groups[e].run == a->run && plan.groups[e].round == a->round;
        firsts += a->opens;
        wrong += a->opens == earlier;
    }
    /* The probes below the paths are the build's: a CUDA build's host path has more. */
    ok(rc == GX_OK && firsts >= 12 && firsts < plan.ngroups && wrong == 0,
       "2 paths and the probes below them, 6 ordered pairs of 3 ranks: %zu of %zu groups open "
       "theirs for their pair first, each the earliest of its path or probe and pair (%zu not)",
       firsts, plan.ngroups, wrong);
}

/* A budget far below the steps' pace: the estimate gives their later visits up as the run does
 * (its shares at the nominal pace), within the budget as the run keeps it, not every visit's
 * least. */
static void pilot_cut(void)
{
    int rc = make("--path host --pattern bw --sizes 1M,2M,4M,8M --budget 2 --ceilings off", 2);
    double every = 0, first = 0;
    for (size_t i = 0; rc == GX_OK && i < plan.nsteps; i++) {
        plan.steps[i].paced_s = 0.05;
        struct gx_mstep v1 = gx_mstep_visit(&plan.steps[i], gx_mplan_step_visits(&plan, i), 1);
        first += gx_mstep_least_seconds(&v1);
    }
    for (size_t g = 0; rc == GX_OK && g < plan.ngroups; g++)
        every += gx_mgroup_setup_all(&plan, &plan.groups[g]);
    first += every;
    for (size_t i = 0; rc == GX_OK && i < plan.nsteps; i++)
        every += gx_mplan_step_least(&plan, i);
    double est = rc == GX_OK ? gx_mplan_estimate(&plan, &o) - gx_mplan_overhead(&plan) : 0;
    ok(rc == GX_OK && plan.nsteps == 4 && est >= first - 1e-9 && est < every &&
           est <= 1.1 * 2,
       "budget cut: %g s estimated for a budget of 2 s, the first visits' least %g s, every "
       "visit's %g s", est, first, every);
}

/* The pilot's points: a GPU group's steps on the line through them by size, per message. */
static void pilot_pace(void)
{
    int rc = make("--path mpi --mem device --pattern latency,bw --sizes 8,1M,1G --ceilings off",
                  2);
    const struct gx_mgroup *g = &plan.groups[0];
    struct gx_pilot_point pts[] = {
        pt(g, GX_PAT_LATENCY, 8, 300e-6),
        pt(g, GX_PAT_LATENCY, GX_MIB, 400e-6),
        pt(g, GX_PAT_BW, 8, 1e-5),
        pt(g, GX_PAT_BW, GX_MIB, 1e-5 + 1e-3),
        /* another pair, slower */
        pt(g, GX_PAT_BW, GX_MIB, 1e-5 + 2e-3),
    };
    long paced = rc == GX_OK ? gx_mplan_pilot_pace(&plan, pts, 4) : 0;
    const struct gx_mstep *lat8 = &plan.steps[0], *lat1g = &plan.steps[2], *bw1g = &plan.steps[5];
    double at1g = 300e-6 + 100e-6 * (double)(GX_GIB - 8) / (double)(GX_MIB - 8);
    ok(paced == 6 && plan.pilot_steps == 6 &&
           fabs(gx_mstep_paced_iteration(lat8) / (300e-6 * (double)lat8->window) - 1) < 1e-9 &&
           fabs(lat1g->paced_s / (at1g * (double)lat1g->window) - 1) < 1e-9 &&
           fabs(bw1g->paced_s / ((1e-5 + 1e-3 * (double)(GX_GIB - 8) / (double)(GX_MIB - 8)) *
                                 (double)bw1g->window) - 1) < 1e-9,
       "pilot: every step of the GPU group paced (%ld), at 8 B as measured, at 1G on the line "
       "through 8 B and 1M (latency %g s a window, bw %g s)", paced, lat1g->paced_s,
       bw1g->paced_s);
    gx_mplan_pilot_pace(&plan, pts, 5);
    ok(fabs(bw1g->paced_s / ((1e-5 + 2e-3 * (double)(GX_GIB - 8) / (double)(GX_MIB - 8)) *
                             (double)bw1g->window) - 1) < 1e-9,
       "pilot: of two pairs at one size, the slower decides");
    pts[0].pattern = GX_PAT_BIBW;
    pts[1].pattern = GX_PAT_BIBW;
    ok(make("--path mpi --mem device --pattern latency,bw --sizes 8,1M,1G --ceilings off", 2) ==
               GX_OK &&
           gx_mplan_pilot_pace(&plan, pts, 5) == 3 && plan.steps[0].paced_s == 0 &&
           gx_mstep_paced_iteration(&plan.steps[0]) == gx_mstep_iteration_estimate(&plan.steps[0]),
       "pilot: a step without points of its pattern keeps the estimate's pace");
    pts[2].path = pts[3].path = gx_path_lookup("host");
    ok(make("--path host --pattern bw --sizes 8,1M --ceilings off", 2) == GX_OK &&
           gx_mplan_pilot_pace(&plan, pts + 2, 2) == 0,
       "pilot: host memory's steps stay at the pace of the dry run's exchanges");
    long absent = 0, kept = 0;
    if (make("--path mpi --mem device --pattern bw --sizes 8 --pairs all --ceilings off", 3) ==
        GX_OK) {
        gx_mplan_pilot_only(&plan);
        for (size_t i = 0; i < plan.ngroups; i++)
            plan.groups[i].absent ? absent++ : kept++;
    }
    ok(kept == 1 && absent == 5 && !plan.groups[0].absent,
       "the pilot's plan: a run's first round alone (%ld kept, %ld left out)", kept, absent);
}

/* A chunk sweep's steps each at their own chunk and depth's points; a run of collectives on host
 * memory piloted (its library's algorithm), one of transfers not; the pilot's sizes. */
static void pilot_keys(void)
{
    int rc = make("--path mpi --mem device --pattern bw --sizes 1M --ceilings off", 2);
    double at[2] = {0, 0};
    if (rc == GX_OK && plan.nsteps == 1) {
        const struct gx_mgroup *g = &plan.groups[0];
        struct gx_pilot_point pts[] = {pt(g, GX_PAT_BW, GX_MIB, 4e-4),
                                       pt(g, GX_PAT_BW, GX_MIB, 1e-4)};
        pts[0].chunk = 256 * GX_KIB, pts[0].depth = 1;
        pts[1].chunk = 4 * GX_MIB, pts[1].depth = 2;
        struct gx_mstep *st = &plan.steps[0];
        for (int k = 0; k < 2; k++) {
            st->chunk = pts[k].chunk, st->depth = pts[k].depth;
            at[k] = gx_mplan_pilot_pace(&plan, pts, 2) == 1 ? st->paced_s / (double)st->window
                                                            : 0;
        }
    }
    ok(fabs(at[0] / 4e-4 - 1) < 1e-9 && fabs(at[1] / 1e-4 - 1) < 1e-9,
       "pilot: each chunk and depth at its own point, not the slowest of the run's (%g, %g s)",
       at[0], at[1]);
    long nominal = 0, weighed = 0, quick = 0;
    double beside = 0, searched = 0;
    if (make("--path mpi --mem device --pattern bw --sizes 1M,64M --ceilings off", 2) == GX_OK &&
        plan.nsteps == 2) {
        struct gx_pilot_point p1 = pt(&plan.groups[0], GX_PAT_BW, GX_MIB, 1e-4);
        struct gx_mstep *st = &plan.steps[1];
        p1.search_weight = 10, p1.tries = 5, p1.measure_s = 0.25;
        p1.chunk = 256 * GX_KIB, p1.depth = 2; /* the pilot's choice, not the step's whole */
        st->ncand = 3, st->chunk = 64 * GX_MIB, st->depth = 1;
        nominal = gx_mstep_search_iters(st);
        quick = gx_mstep_quick_iters(st);
        if (gx_mplan_pilot_pace(&plan, &p1, 1) == 2)
            weighed = gx_mstep_search_iters(st);
        beside = gx_mstep_beside_seconds(st, 0), searched = gx_mstep_beside_seconds(st, 1);
    }
    ok(quick > 0 && nominal == 3 * (quick + 3) && weighed == 6 * (quick + 1),
       "pilot: a searched step at its pilot's point whatever chunk that chose; its candidates "
       "at their mean in the chosen one's time (2) times its own 3, with their warm-up (%ld "
       "iterations, not %ld)", weighed, nominal);
    ok(fabs(beside - 0.25) < 1e-12 && fabs(searched - 1.0) < 1e-12,
       "pilot: a measurement's time beside its iterations once a visit, and once more per "
       "candidate where it searches (%g, %g s)", beside, searched);
    int host_bw = make("--path host --pattern bw --sizes 8,1M --ceilings off", 2) == GX_OK &&
                  !gx_mplan_needs_pilot(&plan);
    rc = make("--pairs job --pattern allreduce --sizes 8,1M --ceilings off", 2);
    struct gx_pilot_point coll[2] = {{0}};
    if (rc == GX_OK && plan.nsteps == 2) {
        coll[0] = pt(&plan.groups[0], plan.steps[0].pattern, 8, 2e-5);
        coll[1] = pt(&plan.groups[0], plan.steps[0].pattern, GX_MIB, 2e-3);
    }
    ok(host_bw && rc == GX_OK && plan.nsteps == 2 && gx_mplan_needs_pilot(&plan) &&
           gx_mplan_pilot_pace(&plan, coll, 2) == 2 &&
           fabs(plan.steps[1].paced_s / (2e-3 * (double)plan.steps[1].window) - 1) < 1e-9,
       "pilot: a host allreduce is piloted and paced at its points, host bw is not");
    struct gx_size_list a = {4, {GX_MIB, 64 * GX_MIB, 256 * GX_MIB, GX_GIB}};
    struct gx_size_list b = {4, {8, GX_MIB, 64 * GX_MIB, GX_GIB}};
    struct gx_size_list c = {2, {GX_GIB, 64 * GX_MIB}};
    gx_mplan_pilot_sizes(&a, 0);
    gx_mplan_pilot_sizes(&b, 1);
    gx_mplan_pilot_sizes(&c, 1);
    ok(a.n == 2 && a.v[0] == GX_MIB && a.v[1] == 64 * GX_MIB && b.n == 3 && b.v[0] == 8 &&
           b.v[1] == GX_MIB && b.v[2] == 64 * GX_MIB && c.n == 1 && c.v[0] == 64 * GX_MIB,
       "pilot sizes: the smallest and the largest to 16M, else the next to 256M (1M, 64M); a "
       "collective's also its largest to 256M (8, 1M, 64M); from a smallest past 16M none "
       "more (64M alone of 64M and 1G)");
}

int main(void)
{
    ok(make("--path host --pattern latency,bw --sizes 8,1M --ceilings off", 2) == GX_OK &&
           plan.ngroups == 1 &&
           plan.nsteps == 4 && plan.groups[0].largest == 1u << 20,
       "one path, one round: 2 patterns x 2 sizes = 4 steps");
    const struct gx_mstep *s = &plan.steps[0];
    ok(s->pattern == GX_PAT_LATENCY && s->size == 8 && s->iters == 1000 && s->warmup == 2 &&
           s->min_iters == 5 && s->precision == 0.01 && s->estimate_s > 0 &&
           s->window == 24 && plan.steps[1].window == 1 && plan.steps[2].pattern == GX_PAT_BW &&
           plan.steps[2].window == 256 && plan.steps[3].window == 191,
       "steps in order (pattern, then size) with the size's iterations at most, 5 at least "
       "(warm-up 2, theirs), precision 1%%, an estimate; latency at 8: 24 round trips per "
       "sample (50 us at the host path's 1 us), at 1M one (%ld, %ld); bw at 1M: 191 messages, "
       "20 ms at the host path's 10 GB/s (%ld)",
       s->window, plan.steps[1].window, plan.steps[3].window);
    const struct gx_path_ops *mpi = gx_paths[gx_path_lookup("mpi")].ops;
    struct gx_pace mpi_pace = {mpi->nominal_gbps, mpi->nominal_us};
    ok(gx_default_round_trips(8, mpi_pace) == 2 && gx_default_round_trips(1u << 20, mpi_pace) == 1,
       "latency on the mpi path (10 us): 2 round trips per sample at 8 B, one at 1M");
    ok(make("--path mpi --pattern bw --sizes 16M,1G --mem device", 2) == GX_OK &&
           window_of("mpi", 16u << 20) == 256 && window_of("mpi", 1u << 30) == 8 &&
           make("--path mpi --pattern bw --sizes 16M,1G --mem pinned", 2) == GX_OK &&
           window_of("mpi", 16u << 20) == 16 && window_of("mpi", 1u << 30) == 1,
       "mpi bw windows: 20 ms at its 400 GB/s on device memory (256 at 16M, 8 at 1G), at the "
       "host's copy rate on pinned memory (16, the 256 MiB in flight, at 16M; 1 at 1G)");
    ok(gx_default_window_by_time(16u << 20, 3) == 4 && gx_default_window_by_time(64u << 20, 3) == 1 &&
           gx_default_window_by_time(4096, 3) == 256,
       "a window by time alone: 20 ms at 3 GB/s is 4 messages of 16M, 1 of 64M (not 16 and 4 "
       "for 256 MiB), 256 at most");
    ok(gx_dry_run_cv(4096) == 0.02 && gx_dry_run_cv(1u << 20) == 0.01 &&
           gx_dry_run_cv(16u << 20) == 0.005,
       "--dry-run expects iterations to vary by 2%% up to 64K, 1%% up to 1M, 0.5%% above");
    ok(gx_default_window_at(8, 10) == 256 && gx_default_window_at(64u << 20, 1.5) == 4 &&
           gx_default_window_at(1u << 30, 1.5) == 1 && gx_default_window_at(256u << 20, 350) == 27 &&
           gx_default_window_at(1u << 30, 350) == 7 && gx_default_window_at(1u << 20, 50) == 256,
       "default window: at least 256 MiB per iteration (64 messages up to 4M), at least 20 ms at "
       "the path's rate, at most 256 messages");

    ok(make("--path host --pattern bw --sizes 8 --pairs all --ceilings off", 3) == GX_OK &&
           plan.ngroups == 6 && plan.nsteps == 6,
       "--pairs all on 3 ranks: 6 rounds, a group and a step each");

    ok(make("--path host,staged,p2p --pattern bw --sizes 1M,64M --chunk auto --depth 1,2,4", 2) ==
           GX_OK,
       "--chunk auto --depth 1,2,4 expands");
    ok(steps_of("host") == 2 && steps_of("staged") == (built("staged") ? 2u : 0u) &&
           steps_of("p2p") == (built("p2p") ? 2u : 0u),
       "--chunk auto: one step per size, not one per depth (the progress total was 3x too high)");
    s = first_step("staged", 64u << 20);
    if (built("staged"))
        ok(s && s->ncand == 18 && s->cand_chunk[17] == 64u << 20 && s->cand_depth[0] == 1 &&
               s->cand_depth[2] == 4 && s->cand_depth[17] == 4,
           "auto at 64M (a window of 4): 64K..16M and the whole message x depth 1,2,4 (%d)",
           s ? s->ncand : -1);
    else
        ok(1, "# SKIP staged is not built in");

    ok(make("--path staged,p2p,zerocopy --pattern bw --sizes 64M --ceilings off", 2) == GX_OK,
       "defaults on the chunked paths expand");
    if (built("p2p")) {
        s = first_step("p2p", 64u << 20);
        ok(s && s->ncand == 1 && s->chunk == 64u << 20 && s->depth == 1,
           "p2p by default: the whole message as one copy, nothing to search");
        s = first_step("staged", 64u << 20);
        ok(s && s->ncand == 10 && s->cand_depth[0] == 2 && s->cand_depth[1] == 4,
           "staged by default: a short search (%d candidates)", s ? s->ncand : -1);
    } else {
        ok(plan.nsteps == 0 && plan.ngroups == 3 && plan.groups[0].absent,
           "without CUDA: the GPU paths are skipped groups with no steps");
        ok(1, "# SKIP p2p is not built in");
    }

    ok(make("--path host,staged --pattern bw,bibw --sizes 1M --chunk 256K,1M --depth 1,4", 2) ==
           GX_OK && steps_of("host") == 2 && steps_of("staged") == (built("staged") ? 8u : 0u),
       "--chunk LIST --depth LIST: every combination on chunked paths, none on the others");
    s = first_step("staged", 1u << 20);
    ok(!built("staged") || (s && s->ncand == 0 && s->chunk == 256u << 10 && s->depth == 1),
       "given axes: fixed chunk and depth, no candidates");
    ok(make("--path host --pairs 0:5 --sizes 8", 2) == GX_EINPUT, "pairs the job cannot have: input error");

    /* The ceiling probes: planned from the steps' rules, each just before its result. */
    char text[512];
    int two_nodes[2] = {0, 1};
    ok(make("--path host --pattern bw,latency --sizes 8,1M", 2) == GX_OK && probes_just_before() &&
           plan.groups[0].probe == probe_index("shm-copy") && plan.groups[1].probe < 0 &&
           probe_steps("shm-copy", text, sizeof text) == 4 &&
           !strcmp(text, "bw:8 bw:1048576 latency:8 latency:1048576") && steps_of("host") == 4,
       "host on one node: shm-copy at the results' sizes, bw then latency, each just before its "
       "result (%s)",
       text);
    ok(plan.steps[plan.groups[0].first].iters == gx_probe_iters(8) &&
           gx_probe_iters(8) == 500 && gx_probe_iters(1u << 30) == GX_PROBE_MIN_ITERS &&
           plan.steps[plan.groups[0].first].min_iters == 100,
       "a probe's iterations: half a result's, at least %d; a fifth of those before it may "
       "stop", GX_PROBE_MIN_ITERS);
    if (built("staged")) {
        char across[512];
        int probes_ok = make("--path staged --pattern bw --sizes 1M --chunk 1M --depth 4", 2) ==
                            GX_OK &&
                        probe_steps("copy-engines", text, sizeof text) == 1 &&
                        probe_steps("sender-d2h", text, sizeof text) == 1;
        ok(probes_ok && make_on("--path staged --pattern bw --sizes 1M --chunk 1M --depth 4", 2,
                                two_nodes) == GX_OK &&
               probe_steps("copy-engines", across, sizeof across) == 0 &&
               probe_steps("sender-d2h", across, sizeof across) == 1,
           "staged one way on one node: both copy engines at once (one GPU) and the sender's D2H "
           "alone (two GPUs), the plan not knowing which; across nodes the D2H alone (%s)",
           text);
    } else {
        ok(1, "# SKIP staged is not built in");
    }
    ok(make("--path host --pattern bw --sizes 1G", 2) == GX_OK &&
           plan.steps[plan.groups[0].first].iters == GX_PROBE_MIN_ITERS &&
           plan.steps[plan.groups[0].first].min_iters == GX_PROBE_MIN_ITERS,
       "a probe at 1G runs all of its %d iterations before it may stop: its best is the "
       "ceiling, a maximum", GX_PROBE_MIN_ITERS);
    /* A probe visits as its results do, its fewest iterations shared among the visits (its
     * ceiling is the best of them all); the node map's cells and exact --iters once. */
    const struct gx_mstep *p1g = &plan.steps[plan.groups[0].first];
    struct gx_mstep pv = gx_mstep_visit(p1g, 3, 0);
    ok(p1g->best_of && gx_mplan_step_visits(&plan, plan.groups[0].first) == 3 &&
           gx_mplan_step_visits(&plan, plan.groups[1].first) == GX_LONG_STEP_VISITS &&
           pv.iters == 8 &&
           pv.min_iters == 8 && pv.floor_iters == 8 && pv.warmup == 0 &&
           gx_mstep_visit(p1g, 3, 1).warmup == p1g->warmup && gx_mstep_check_iters(p1g) == 0 &&
           gx_mstep_check_iters(&plan.steps[plan.groups[1].first]) ==
               3.0 / (double)(plan.steps[plan.groups[1].first].window > 1
                                  ? plan.steps[plan.groups[1].first].window : 1),
       "a probe at 1G: 3 visits of %ld iterations (its %d shared), its result %d; warmed up "
       "at the first, no data check; the result's check one message's filling, moving and "
       "comparing, a fraction of a window", pv.iters, GX_PROBE_MIN_ITERS, GX_LONG_STEP_VISITS);
    /* Under a budget at risk: a probe's later visit is one more chance at its best, given up
     * from its second; a result's only from its fewest visits on. */
    {
        const struct gx_mstep *rs = &plan.steps[plan.groups[1].first];
        int rv = gx_mplan_step_visits(&plan, plan.groups[1].first);
        ok(gx_mplan_cut_factor(&plan, p1g, 1, 3) == GX_VISITS_CUT &&
               gx_mplan_cut_factor(&plan, p1g, 2, 3) == GX_VISITS_CUT_LATER &&
               gx_mplan_cut_factor(&plan, p1g, 3, 3) == 0 &&
               gx_mplan_cut_factor(&plan, rs, 2, rv) == 0 &&
               gx_mplan_cut_factor(&plan, rs, GX_LEAST_LONG_VISITS, rv) == GX_VISITS_CUT_LATER,
           "budget at risk: a probe's visits cut from its second, its result's (%d visits) from "
           "visit %d", rv, GX_LEAST_LONG_VISITS);
    }
    /* The pace of the steps begun leaves their groups' set-up out: the budget keeps the set-up
     * to come apart, so in the pace too it counted twice. */
    {
        struct gx_budget bg = {.seconds = 10, .estimate_left = 4, .steps_left = 4,
                               .estimate_ran = 2, .setup_ran = 3};
        int apart = gx_budget_at_risk(&bg, 5);
        bg.setup_ran = 0;
        ok(!apart && gx_budget_at_risk(&bg, 5) && gx_budget_at_risk(&bg, 8),
           "budget at risk: 2 s of steps and 3 s of set-up in 5 s keep the estimates' pace (4 s "
           "left for 4.4); 5 s all of steps are at 2.5 times it");
    }
    struct gx_mstep result = plan.steps[plan.groups[1].first];
    result.min_iters = 5;
    result.iters = 9;
    ok(!result.best_of && gx_mstep_visit(&result, 3, 0).min_iters == GX_VISIT_MIN_ITERS &&
           gx_mstep_visit(&result, 3, 0).floor_iters == GX_VISIT_MIN_ITERS &&
           gx_mstep_visit(&result, 3, 0).iters == 3 && gx_mstep_visit(&result, 2, 0).min_iters == 3,
       "a result's fewest iterations are split among its visits, %d a visit at least (3 of 9 in "
       "each of 3; 3 of its 5 fewest in each of 2)", GX_VISIT_MIN_ITERS);
    ok(make("--path host --pattern bw --sizes 1G --iters 6", 2) == GX_OK &&
           gx_mplan_step_visits(&plan, plan.groups[0].first) == 1 &&
           gx_mplan_step_visits(&plan, plan.groups[1].first) == 1,
       "--iters 6: the probe and its result once, exactly 6 each");
    ok(make("--path host --pattern bw --sizes 1G --visits 1", 2) == GX_OK &&
           gx_mplan_step_visits(&plan, plan.groups[0].first) == 1 &&
           gx_mstep_visit(&plan.steps[plan.groups[0].first], 1, 1).min_iters == GX_PROBE_MIN_ITERS,
       "--visits 1: a probe once, with all of its fewest");
    if (built("staged")) {
        /* A candidate's fewest under a budget: 3 where an iteration is short, one where long. */
        int made = make("--path staged --pattern bw --sizes 1M,1G", 2) == GX_OK;
        const struct gx_mstep *mib = first_step("staged", 1u << 20),
                              *gib = first_step("staged", 1u << 30);
        ok(made && mib && gib && mib->ncand > 1 && gib->ncand > 1 &&
               gx_mstep_search_min_iters(mib) == GX_SEARCH_MIN_ITERS &&
               gx_mstep_search_min_iters(gib) == 1 &&
               gx_mstep_search_floor_iters(mib) == mib->ncand * (GX_SEARCH_MIN_ITERS + 3),
           "staged's candidates under a budget: %ld timed iterations at least at 1M, %ld at 1G",
           mib ? gx_mstep_search_min_iters(mib) : -1, gib ? gx_mstep_search_min_iters(gib) : -1);
    } else {
        ok(1, "# SKIP staged is not built in");
    }
    int remade = make("--path host --pattern bw,latency --sizes 8,1M", 2) == GX_OK;
    /* Under a budget the rule is asked before the fewest too, where only the time ends the
     * step: after the first warm-up iteration, then 1, 2, 4 ... timed ones up to the fewest. */
    const struct gx_mstep *pr = &plan.steps[plan.groups[0].first];
    long asks[12], nasks = 0;
    for (long n = -pr->warmup - 1; nasks < 12 && n != GX_ASK_NEVER;)
        n = asks[nasks++] = gx_mstep_next_timed_ask(pr, n);
    ok(remade && pr->warmup == 2 && pr->floor_iters == GX_PROBE_MIN_ITERS && nasks == 12 &&
           asks[0] == -2 && asks[1] == -1 && asks[2] == 1 && asks[3] == 2 && asks[4] == 4 &&
           asks[8] == 64 && asks[9] == 100 && asks[10] == gx_mstep_next_ask(pr, 100),
       "a probe under a budget asks before its warm-up (that of its floor, %d iterations, before "
       "which the time cannot end it), after its first warm-up iteration and 1, 2, 4 ... 64 "
       "timed ones, then at its fewest (100) and as without", GX_PROBE_MIN_ITERS);
    ok(make("--path host --pattern bw --sizes 1M --iters 5 --warmup 1", 2) == GX_OK &&
           plan.steps[plan.groups[0].first].iters == 5 &&
           plan.steps[plan.groups[0].first].warmup == 1 &&
           gx_mstep_next_timed_ask(&plan.steps[plan.groups[0].first], -2) == GX_ASK_NEVER,
       "--iters and --warmup hold for the probes too, never asked under a budget either");
    ok(make("--path host --pattern latency --sizes 8 --iters 60000", 2) == GX_OK &&
           plan.steps[plan.groups[0].first].iters == gx_probe_iters(8) &&
           plan.steps[plan.groups[0].first].min_iters == gx_probe_iters(8) &&
           plan.steps[plan.groups[1].first].iters == 60000,
       "--iters 60000: the results' 60000, a probe's own most (%ld) at most",
       gx_probe_iters(8));
    ok(make("--path host --pattern bw,latency --sizes 1G", 2) == GX_OK &&
           probe_steps("shm-copy", text, sizeof text) == 2 &&
           !strcmp(text, "bw:268435456 latency:1073741824") &&
           plan.steps[plan.groups[0].first].window == 1,
       "host memory's rate probed at 256 MiB at most, one message an iteration; its latency at "
       "the size (%s)", text);
    ok(make_on("--path host --pattern bw,latency --sizes 1M", 2, two_nodes) == GX_OK &&
           probe_steps("shm-copy", NULL, 0) == 0 && plan.ngroups == 1,
       "host across nodes: no probe (the network is not probed)");
    ok(make("--path host --pattern bw --sizes 1M --ceilings off", 2) == GX_OK &&
           plan.ngroups == 1 && probe_steps("shm-copy", NULL, 0) == 0,
       "--ceilings off: no probes");
    ok(make("--path host --pattern bw --sizes 8 --pairs all", 3) == GX_OK && plan.ngroups == 12 &&
           probes_just_before() && probe_steps("shm-copy", NULL, 0) == 6,
       "--pairs all on 3 ranks: each round's pairs probe their own points");
    if (built("staged")) {
        const struct gx_mgroup *last = NULL;
        ok(make("--path staged --pattern bw --sizes 64M", 2) == GX_OK && plan.ngroups > 1 &&
               (last = &plan.groups[plan.ngroups - 1])->probe < 0 &&
               last->path == gx_path_lookup("staged") && last->n == steps_of("staged"),
           "staged: its chunks' probes just before its one step");
        s = first_step("staged", 64u << 20);
        size_t distinct = 0;
        for (int i = 0; s && i < s->ncand; i++) {
            int seen = 0;
            for (int j = 0; j < i; j++)
                seen |= s->cand_chunk[j] == s->cand_chunk[i];
            distinct += !seen;
        }
        ok(s && probe_steps("copy-engines", text, sizeof text) == distinct &&
               probe_steps("shm-copy", NULL, 0) == 0,
           "staged on one node: the copy engines at each chunk its search may pick (%s)", text);
        ok(make("--path staged-mpi --pattern bibw --sizes 4M --chunk 1M --depth 2", 2) == GX_OK &&
               probe_steps("copy-engines", text, sizeof text) == 1 &&
               !strcmp(text, "bibw:1048576") && probe_steps("shm-copy", NULL, 0) == 1,
           "staged-mpi bibw: the copy engines and host memory both ways at the chunk");
    } else {
        for (int i = 0; i < 3; i++)
            ok(1, "# SKIP staged is not built in");
    }
    if (built("unified-demand")) {
        ok(make("--path unified-demand,unified-prefetch --pattern bw --sizes 16M,64M", 2) ==
                   GX_OK &&
               window_of("unified-demand", 16u << 20) == 4 &&
               window_of("unified-demand", 64u << 20) == 1 &&
               window_of("unified-prefetch", 16u << 20) == 1,
           "the unified paths' windows by time alone (demand: 4 at 16M, 1 at 64M; prefetch at "
           "its 0.7 GB/s: 1 at 16M)");
        ok(make("--path unified-demand --pattern bibw --sizes 64M --chunk 64M --depth 1", 2) ==
                   GX_OK &&
               probe_steps("faults", text, sizeof text) == 1 && !strcmp(text, "bibw:67108864") &&
               probe_steps("shm-copy", NULL, 0) == 1,
           "unified-demand bibw: page faults and host memory both ways");
        ok(make_on("--path zerocopy --pattern bw --sizes 64M --chunk 4M --depth 2", 2, two_nodes) ==
                   GX_OK &&
               probe_steps("mapped", text, sizeof text) == 1 && !strcmp(text, "bw:4194304"),
           "zerocopy across nodes: the mapped probe at the chunk (%s)", text);
    } else {
        ok(1, "# SKIP unified-demand is not built in");
        ok(1, "# SKIP unified-demand is not built in");
        ok(1, "# SKIP zerocopy is not built in");
    }

    /* The budget: each step's share in proportion to its estimate among those left, never
     * less than its least (its warm-up and fewest iterations); what a step leaves goes to the
     * steps after it. */
    ok(make("--path host --pattern bw --sizes 8,1M --ceilings off --visits 1", 2) == GX_OK &&
           plan.nsteps == 2 && plan.steps[1].estimate_s > plan.steps[0].estimate_s,
       "two steps, the larger size's estimate larger");
    struct gx_budget bg;
    double e0 = plan.steps[0].estimate_s, e1 = plan.steps[1].estimate_s;
    double l0 = gx_mstep_least_seconds(&plan.steps[0]), l1 = gx_mstep_least_seconds(&plan.steps[1]);
    /* The groups' set-up is kept back (below); these budgets count it on top. */
    double su = 0;
    for (size_t g = 0; g < plan.ngroups; g++)
        su += gx_mgroup_setup_all(&plan, &plan.groups[g]);
    gx_budget_start(&bg, &plan, 10 + GX_BUDGET_RESERVE_S + su, 100);
    double s0 = gx_budget_share(&bg, &plan.steps[0], 100);
    double s1 = gx_budget_share(&bg, &plan.steps[1], 100 + s0 / 2);
    double p0 = GX_BUDGET_EVEN / 2 + (1 - GX_BUDGET_EVEN) * e0 / (e0 + e1);
    ok(l0 > 0 && l1 > l0 && fabs(s0 - 10 * p0) < 1e-9 && 10 * p0 > l0 &&
           fabs(s1 - (10 - s0 / 2)) < 1e-9 && fabs(gx_budget_left(&bg, 101) - 9) < 1e-9,
       "shares: %.3f s of 10 for the first (by its estimate, a part alike; its least %.3f), the "
       "rest and what it left for the second (%.3f)",
       s0, l0, s1);
    gx_budget_start(&bg, &plan, l0 + l1 / 2 + GX_BUDGET_RESERVE_S + su, 0);
    s0 = gx_budget_share(&bg, &plan.steps[0], 0);
    s1 = gx_budget_share(&bg, &plan.steps[1], l0);
    ok(s0 >= l0 && s1 >= l1 && fabs(s1 - l1) < 1e-9,
       "a budget below the steps' least: each still gets its least (%.4f, %.4f), never a share "
       "that cuts a step below its fewest", s0, s1);
    gx_budget_start(&bg, &plan, 0, 0);
    ok(gx_budget_share(&bg, &plan.steps[0], 5) == 0, "no budget: no share");
    gx_budget_start(&bg, &plan, 10 + GX_BUDGET_RESERVE_S + su, 0);
    gx_budget_skip(&bg, &plan.steps[0], 1);
    ok(fabs(gx_budget_share(&bg, &plan.steps[1], 0) - 10) < 1e-9,
       "a skipped step's estimate and least claim no share: all goes to the step left");
    gx_budget_start(&bg, &plan, 10 + GX_BUDGET_RESERVE_S, 0);
    double kept = 10 - gx_budget_left(&bg, 0);
    gx_budget_setup_spent(&bg, su / 2);
    double half = 10 - gx_budget_left(&bg, 0);
    gx_budget_setup_spent(&bg, su);
    ok(su > 0 && fabs(kept - su) < 1e-12 && fabs(half - su / 2) < 1e-12 &&
           gx_budget_left(&bg, 0) == 10,
       "the groups' set-up (%.4f s at its guessed rate) is kept back until spent", su);
    ok(gx_min_iters(1000) == GX_MIN_ITERS && gx_min_iters(8) == GX_MIN_ITERS &&
           gx_min_iters(4) == 4 && gx_min_iters(2) == 2 && GX_MIN_ITERS == 5,
       "fewest iterations: %d (the most, where fewer)", GX_MIN_ITERS);
    double check0 = gx_mstep_check_iters(&plan.steps[0]);
    ok(check0 > 0 &&
           fabs(l0 - plan.steps[0].estimate_s *
                         ((double)(plan.steps[0].floor_iters + plan.steps[0].warmup) + check0) /
                         ((double)(plan.steps[0].iters + plan.steps[0].warmup) + check0)) < 1e-12,
       "a step's least: its validation, its warm-up and its %ld fewest at its estimated pace",
       plan.steps[0].floor_iters);
    ok(make("--path host --pattern bw --sizes 8 --iters 3", 2) == GX_OK &&
           plan.steps[plan.nsteps - 1].floor_iters == 3 &&
           gx_mstep_first_ask(&plan.steps[plan.nsteps - 1]) == GX_ASK_NEVER,
       "--iters 3: exactly 3, never asked (the result is marked as too few, noise.c)");
    /* A path that starts cold each step (nccl: about 1 ms on two H100s) warms up for its
     * settling time at its pace; a path that settles at once keeps the share of its iterations. */
    ok(gx_default_warmup_settling(5, 0.005, 40e-6) == 125 &&
           gx_default_warmup_settling(5, 0.005, 0.01) == GX_WARMUP_MIN &&
           gx_default_warmup_settling(1000, 0.005, 0.001) == 100 &&
           gx_default_warmup_settling(5, 0, 40e-6) == GX_WARMUP_MIN,
       "warm-up: the settling time's iterations where they are more (125 of 40 us for 5 ms; %d "
       "where one lasts 10 ms; 10%% of 1000 where that is more), none without one (%ld)",
       GX_WARMUP_MIN, gx_default_warmup_settling(5, 0.005, 40e-6));
    int nccl = gx_path_lookup("nccl");
    if (nccl >= 0 && gx_paths[nccl].ops) {
        int made = make("--path nccl --pattern latency --sizes 8,64M --ceilings off", 2);
        const struct gx_mstep *tiny = first_step("nccl", 8), *big = first_step("nccl", 64u << 20);
        ok(made == GX_OK && tiny && big && tiny->warmup >= 100 && big->warmup < tiny->warmup &&
               big->warmup >= GX_WARMUP_MIN,
           "nccl warms up for its settling time: %ld round trips at 8 B, %ld at 64M",
           tiny ? tiny->warmup : -1, big ? big->warmup : -1);
        made = make("--path nccl --pattern latency --sizes 8 --warmup 3 --ceilings off", 2);
        tiny = first_step("nccl", 8);
        ok(made == GX_OK && tiny && tiny->warmup == 3, "--warmup 3 holds for nccl too");
    } else {
        skip("built without NCCL: the nccl steps' warm-up");
        skip("built without NCCL: --warmup for nccl");
    }
    ok(make("--path host --pattern bw --sizes 8 --iters 7 --ceilings off", 2) == GX_OK &&
           plan.steps[0].min_iters == 7 && plan.steps[0].precision == 0,
       "--iters 7: exactly 7, no precision asked");

    /* --visits: a step the stop rule ends in the plan's visits, each a part of its iterations at
     * a precision widened by sqrt(visits); by default a step of long iterations in fewer, a ceiling
     * probe in GX_PROBE_VISITS; exact --iters once. */
    ok(make("--path host --pattern bw --sizes 8,1M,1G", 2) == GX_OK &&
           plan.nvisits == GX_DEFAULT_VISITS,
       "visits by default: %d", plan.nvisits);
    size_t visits_all = 0;
    {
        size_t probes = 0, results = 0, wrong = 0, longs = 0;
        for (size_t g = 0; g < plan.ngroups; g++)
            for (size_t i = plan.groups[g].first; i < plan.groups[g].first + plan.groups[g].n; i++) {
                int v = gx_mplan_step_visits(&plan, i), want = GX_PROBE_VISITS;
                const struct gx_mstep *st = &plan.steps[i];
                int is_long = gx_mstep_iteration_estimate(st) /
                                  (double)(st->window > 1 ? st->window : 1) >= GX_SHORT_MESSAGE_S;
                probes += plan.groups[g].probe >= 0;
                results += plan.groups[g].probe < 0;
                if (plan.groups[g].probe < 0) {
                    want = is_long ? GX_LONG_STEP_VISITS : GX_DEFAULT_VISITS;
                    longs += is_long;
                }
                wrong += v != want;
                visits_all += (size_t)v;
            }
        ok(probes > 0 && results == 3 && longs >= 1 && longs < 3 && wrong == 0 &&
               gx_mplan_step_visits(&plan, 0) == GX_DEFAULT_VISITS,
           "%zu result steps (%zu of long messages: %d visits, the others %d, 8 B's) and %zu ceiling "
           "probe steps (%d visits each) (%zu wrong)", results, longs, GX_LONG_STEP_VISITS,
           GX_DEFAULT_VISITS, probes, GX_PROBE_VISITS, wrong);
        const struct gx_mstep *big = first_step("host", 1u << 20);
        struct gx_mstep first = gx_mstep_visit(big, 3, 1), later = gx_mstep_visit(big, 3, 0);
        ok(big && first.iters == (big->iters + 2) / 3 && later.iters == first.iters &&
               fabs(first.precision - big->precision * sqrt(3.0)) < 1e-12 &&
               first.estimate_s < big->estimate_s && later.estimate_s <= first.estimate_s &&
               first.min_iters == big->min_iters && later.min_iters == (big->min_iters + 2) / 3,
           "a visit of 3: %ld of the %ld iterations, +-%.3g%% (the step's +-%.3g%%), its fewest at "
           "the first, a third of them at the others", first.iters, big ? big->iters : -1, 100 * first.precision,
           big ? 100 * big->precision : -1);
        struct gx_mstep tiny = *big;
        tiny.iters = 6;
        tiny.min_iters = 5;
        ok(gx_mstep_visit(&tiny, 3, 0).iters == GX_VISIT_MIN_ITERS &&
               gx_mstep_visit(&tiny, 3, 1).iters == tiny.min_iters,
           "a visit never fewer than its fewest (%ld of 6 in a later of 3 visits, all 5 of its "
           "fewest at the first)",
           gx_mstep_visit(&tiny, 3, 0).iters);
        struct gx_budget vb;
        gx_budget_start(&vb, &plan, 60, 0);
        double want = 0;
        for (size_t i = 0; i < plan.nsteps; i++) {
            int v = gx_mplan_step_visits(&plan, i);
            want += gx_mstep_visit(&plan.steps[i], v, 1).estimate_s +
                    (v - 1) * gx_mstep_visit(&plan.steps[i], v, 0).estimate_s;
        }
        ok(fabs(vb.estimate_left - want) < 1e-12 && vb.steps_left == (long)visits_all,
           "the budget counts every visit: %ld steps' visits, %.4f s of estimates", vb.steps_left,
           vb.estimate_left);
    }
    ok(make("--path host --pattern bw --sizes 8 --iters 7 --ceilings off", 2) == GX_OK &&
           gx_mplan_step_visits(&plan, 0) == 1,
       "--iters 7: one visit, all 7 in it");
    ok(make("--path host --pattern bw --sizes 8 --visits 5 --ceilings off", 2) == GX_OK &&
           gx_mplan_step_visits(&plan, 0) == 5, "--visits 5: five");
    ok(make("--path host --pattern bw --sizes 1G --ceilings off", 2) == GX_OK &&
           gx_mplan_step_visits(&plan, 0) == GX_LONG_STEP_VISITS &&
           make("--path host --pattern bw --sizes 1G --visits 5 --ceilings off", 2) == GX_OK &&
           gx_mplan_step_visits(&plan, 0) == 5,
       "a step of 1 GiB messages: %d visits by default, 5 where --visits 5 says",
       GX_LONG_STEP_VISITS);
    ok(make("--path host --pattern bw --sizes 8,1G --ceilings off", 2) == GX_OK &&
           plan.ngroups == 1 && gx_mgroup_visits(&plan, &plan.groups[0]) == GX_DEFAULT_VISITS &&
           fabs(gx_mgroup_setup_all(&plan, &plan.groups[0]) -
                gx_mgroup_setup_seconds(&plan.groups[0]) *
                    (GX_LONG_STEP_VISITS + (GX_DEFAULT_VISITS - GX_LONG_STEP_VISITS) * 8.0 /
                                               (double)(1u << 30))) < 1e-12,
       "the set-up of a group's visits: the largest of the steps each has (8 B in the short "
       "step's extra visits)");

    /* --vary: a step's option makes the path's steps once per value, value after value; a
     * group's option each round's groups side by side; 3 visits at least. */
    ok(make("--path host --pattern latency,bw --sizes 8,4K --vary window=4,16 --visits 1 "
            "--ceilings off", 2) == GX_OK && plan.ngroups == 1 && plan.nsteps == 8 &&
           plan.steps[0].vary == 1 && plan.steps[0].window == 4 && plan.steps[3].vary == 1 &&
           plan.steps[4].vary == 2 && plan.steps[4].window == 16 &&
           plan.steps[4].pattern == plan.steps[0].pattern &&
           plan.steps[4].size == plan.steps[0].size && plan.nvisits == GX_VARY_MIN_VISITS &&
           gx_mplan_step_visits(&plan, 0) == GX_VARY_MIN_VISITS,
       "--vary window=4,16: window 4's 4 steps, then window 16's, %d visits though --visits 1",
       GX_VARY_MIN_VISITS);
    ok(make("--path staged,host --pattern bw --sizes 64K --vary chunk=auto,1M,4M "
            "--ceilings off", 2) == GX_OK &&
           (!built("staged") ||
            (steps_of("staged") == 3 && plan.steps[0].ncand > 1 && plan.steps[1].ncand <= 1 &&
             plan.steps[1].chunk == 1u << 20 && plan.steps[2].chunk == 4u << 20 &&
             plan.steps[2].vary == 3)) &&
           steps_of("host") == 0 && plan.groups[plan.ngroups - 1].absent &&
           strstr(plan.groups[plan.ngroups - 1].absent, "does not pipeline"),
       "--vary chunk=auto,1M,4M: staged's step once per value (auto a search), host skipped");
    ok(make("--path host --pattern latency --sizes 8 --iters 10 --vary depth=1,2 "
            "--ceilings off", 2) == GX_OK && plan.nsteps == 0 && plan.groups[0].absent,
       "--vary depth on a path that does not pipeline: skipped, no step");
    ok(make("--path host --pattern latency --sizes 8 --iters 10 --vary mem=pageable,pinned "
            "--ceilings off", 2) == GX_OK && plan.ngroups == 2 && plan.groups[0].vary == 1 &&
           plan.groups[1].vary == 2 && plan.groups[1].src_kind != plan.groups[0].src_kind &&
           plan.steps[1].vary == 2 && gx_mplan_step_visits(&plan, 0) == GX_VARY_MIN_VISITS,
       "--vary mem: a group per value, side by side; exactly --iters in %d visits",
       GX_VARY_MIN_VISITS);
    {
        struct gx_mstep one = plan.steps[0];
        struct gx_mstep first = gx_mstep_visit(&one, 3, 1), later = gx_mstep_visit(&one, 3, 0);
        ok(first.iters == 4 && later.iters == 3 && first.min_iters == 4 && later.min_iters == 3,
           "exactly --iters 10 over 3 visits: 4, 3 and 3 (%ld, %ld)", first.iters, later.iters);
    }
    ok(make("--pairs all --pattern latency --sizes 8 --vary path=host,mpi --ceilings off", 3) ==
           GX_EINPUT,
       "--vary with --pairs all, whose matrices hold a value per pair: refused");
    ok(make("--pairs 0:1,1:2 --pattern latency --sizes 8 --vary path=host,mpi --ceilings off",
            3) == GX_OK &&
           plan.groups[0].round == 0 && plan.groups[1].round == (built("mpi") ? 0 : 1),
       "--vary path on rounds of pairs: each round's groups of the paths side by side");

    host_pace();
    host_spread();
    probe_staging();
    pilot_pace();
    pilot_segments();
    pilot_once();
    pilot_cut();
    budget_visit_paces();
    group_opens();
    pilot_keys();

    /* Where the progress line goes. */
    ok(gx_progress_decide(0, 1, 1) == GX_PROGRESS_STDERR, "stderr a terminal: there");
    ok(gx_progress_decide(0, 0, 1) == GX_PROGRESS_STDOUT,
       "only stdout a terminal (mpirun forwards stderr through a pipe): stdout");
    ok(gx_progress_decide(0, 0, 0) == GX_PROGRESS_LOG,
       "a batch log: lines in it (from the start with --progress or a long plan, else once the "
       "run is long: gx_output_init)");
    ok(gx_progress_decide(1, 1, 1) == GX_PROGRESS_NONE, "--quiet wins");
    gx_mplan_free(&plan);
    gx_layout_free(&layout);
    return tap_done();
}
