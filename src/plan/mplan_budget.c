/* What the plan's steps are expected to take, and the budget that shares the time among them. */
#include "config.h"
#include "mplan.h"
#include "mplan_impl.h"

#include "coll.h"
#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "probe.h"
#include "stats.h"
#include "wrap.h"

#include <math.h>

double gx_mplan_iteration_seconds(struct gx_pace pc, const struct gx_mstep *s)
{
    double msg = gx_mplan_nominal_message_seconds(pc, s->size);
    double trips = gx_pattern_table[s->pattern]->family == GX_FAMILY_LATENCY ? 2 : 1;
    return (double)s->window * trips * msg;
}

static double step_seconds(struct gx_pace pc, const struct gx_mstep *s)
{
    return gx_mstep_runs(s, s->iters) * gx_mplan_iteration_seconds(pc, s);
}

void gx_mplan_estimate_group(struct gx_mplan *p, struct gx_pace pc, size_t first)
{
    for (size_t i = first; i < p->nsteps; i++)
        p->steps[i].estimate_s = step_seconds(pc, &p->steps[i]);
}

/* The precision the stop rule finds in n iterations that vary by cv (gx_sorted_precision): the
 * median's distance to the farther of the order statistics that bound its interval, expected
 * of normal iterations (Blom's positions). Few iterations' interval spans them all, narrower
 * than a large sample's 1.96 x 1.2533 cv / sqrt(n), which made a dry run's estimate follow the
 * square of the spread it measured where the run's steps ended at their fewest. */
static double median_spread(double cv, long n)
{
    long j, k;
    size_t m = (size_t)(n > 0 ? n : 1);
    gx_median_ci_ranks(m, &j, &k);
    double zk = gx_normal_quantile(((double)k - 0.375) / ((double)m + 0.25));
    double zj = gx_normal_quantile(((double)j - 0.375) / ((double)m + 0.25));
    return cv * (zk > -zj ? zk : -zj);
}

/* Within the caches near, from far_bytes on far, between the two on a log scale. */
static double measured_gbps(const struct gx_measured_pace *m, size_t bytes, double near,
                            double far, size_t far_bytes)
{
    if (bytes <= m->bytes_near || far_bytes <= m->bytes_near)
        return near;
    if (bytes >= far_bytes)
        return far;
    double at = log((double)bytes / (double)m->bytes_near) /
                log((double)far_bytes / (double)m->bytes_near);
    return near * pow(far / near, at);
}

/* A step of host memory over MPI at the pace measured: one moving both ways at the pace each way
 * of both ways at once, which shares the memory's bandwidth beyond the caches with the other
 * way's copies, and within them as the machine has it (a 2-core machine: as one way; a GPU
 * node's virtual machine: a third of one way at 1 MiB). */
static struct gx_pace host_step_pace(const struct gx_measured_pace *m, const struct gx_mstep *s)
{
    struct gx_pace pc = {measured_gbps(m, s->size, m->gbps_near, m->gbps_far, m->bytes_far),
                         m->us};
    double near = m->gbps_both_near > 0 ? m->gbps_both_near : m->gbps_near;
    if (gx_pattern_table[s->pattern]->both_ways && m->gbps_both > 0)
        pc.gbps = measured_gbps(m, s->size, near, m->gbps_both, m->bytes_both);
    return pc;
}

/* The spread a step's stop rule sees in iterations of iter_s: the measured windows' at their
 * samples' lengths, between the two on a log scale. A short sample holds a descheduling
 * whole where a long one averages it in, and a large step's iterations, several of the near
 * window's samples long, settle sooner than that window's spread says. */
static double iteration_cv(const struct gx_measured_pace *m, double iter_s)
{
    if (m->near_s <= 0 || m->far_s <= m->near_s || iter_s <= m->near_s)
        return m->cv_near;
    if (iter_s >= m->far_s)
        return m->cv_far;
    double at = log(iter_s / m->near_s) / log(m->far_s / m->near_s);
    return m->cv_near + (m->cv_far - m->cv_near) * at;
}

/* A visit's data check writes its pattern and compares it at memory's pace, not a message's:
 * a GiB each way took seconds more than its messages on the CPU machine. A collective's output
 * is poisoned, its input filled and its output compared, a sum's floats computed. */
static double check_seconds(const struct gx_measured_pace *m, const struct gx_mstep *s)
{
    const struct gx_pattern_ops *pat = gx_pattern_table[s->pattern];
    double bytes = (double)s->size / 1e9;
    if (m->fill_gbps <= 0 || m->check_gbps <= 0)
        return 0;
    if (pat->family != GX_FAMILY_COLLECTIVE)
        return (pat->both_ways ? 2 : 1) * (bytes / m->fill_gbps + bytes / m->check_gbps);
    int sums = gx_coll_table[pat->coll].sums && m->sum_fill_gbps > 0 && m->sum_check_gbps > 0;
    return bytes / m->fill_gbps + bytes / (sums ? m->sum_fill_gbps : m->fill_gbps) +
           bytes / (sums ? m->sum_check_gbps : m->check_gbps);
}

static int host_group(const struct gx_mgroup *gr)
{
    const struct gx_path_ops *ops = gx_mgroup_ops(gr);
    return !gr->absent && ops && !(ops->flags & GX_PATH_NEEDS_GPU) &&
           !gx_mem_on_gpu(gr->src_kind) && !gx_mem_on_gpu(gr->dst_kind);
}

int gx_mplan_has_host(const struct gx_mplan *p)
{
    for (size_t g = 0; g < p->ngroups; g++)
        if (host_group(&p->groups[g]))
            return 1;
    return 0;
}

void gx_mplan_host_pace(struct gx_mplan *p, const struct gx_measured_pace *m)
{
    if (m->us <= 0 || m->gbps_near <= 0 || m->gbps_far <= 0)
        return;
    p->host_paced = 1;
    p->host_pace = *m;
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        const struct gx_path_ops *ops = gx_mgroup_ops(gr);
        if (!host_group(gr))
            continue;
        /* The probes copy through shared memory themselves: MPI's pace is not theirs. */
        int probe = (ops->flags & GX_PATH_PROBE) != 0;
        for (size_t i = gr->first; i < gr->first + gr->n; i++) {
            struct gx_mstep *s = &p->steps[i];
            struct gx_pace pc = host_step_pace(m, s);
            if (probe) {
                pc = gx_mplan_pace_of(ops, gr->src_kind, gr->dst_kind);
                if (m->copy_gbps > 0 && m->copy_gbps_near > 0)
                    pc.gbps = measured_gbps(m, s->size, m->copy_gbps_near, m->copy_gbps,
                                            m->bytes_far);
            }
            /* A collective's pace is the pilot's, where it measured one. */
            double iter_s = s->paced_s > 0 ? s->paced_s : gx_mplan_iteration_seconds(pc, s);
            if (!probe && iter_s > 0)
                s->check_fill = check_seconds(m, s) / iter_s;
            s->paced_s = iter_s; /* estimate_s stays the run's own, whose budget it shares */
            s->dry_cv = s->size <= 64 * GX_KIB ? m->cv_small : iteration_cv(m, iter_s);
        }
    }
}

/* Whether each rank writes both its buffers: a round trip, both ways at once or a collective;
 * one way, the sender writes its source and the receiver its destination. */
static int writes_both(const struct gx_mplan *p, const struct gx_mgroup *g)
{
    for (size_t i = g->first; i < g->first + g->n; i++) {
        const struct gx_pattern_ops *pat = gx_pattern_table[p->steps[i].pattern];
        if (pat->family == GX_FAMILY_LATENCY || pat->both_ways || pat->coll != GX_COLL_NONE)
            return 1;
    }
    return 0;
}

/* Seconds a byte of a buffer of kind takes to set up: a page of pageable or managed memory is
 * mapped where it is first written, and one never written costs nothing. */
static double byte_s(int kind, double gbps, int written)
{
    int lazy = kind == GX_MEM_PAGEABLE || gx_mem_has(kind, GX_MEM_MIGRATES);
    return written || !lazy ? 1 / (gbps * 1e9) : 0;
}

void gx_mplan_setup_pace(struct gx_mplan *p, const double gbps[GX_MEM_COUNT])
{
    for (int k = 0; k < GX_MEM_COUNT; k++)
        p->setup_gbps[k] = gbps[k];
    for (size_t g = 0; g < p->ngroups; g++) {
        struct gx_mgroup *gr = &p->groups[g];
        const struct gx_path_ops *ops = gx_mgroup_ops(gr);
        /* Each rank sets up its own at once: one rank's time is the group's. */
        if (ops && ops->own_pinned && gbps[GX_MEM_PINNED] > 0)
            gr->own_setup_s = (double)ops->own_pinned(gr->largest) / (gbps[GX_MEM_PINNED] * 1e9);
        double a = gbps[gr->src_kind], b = gbps[gr->dst_kind];
        if (!(a > 0 && b > 0))
            continue;
        /* Every rank allocates a buffer of each kind; the slower rank's set-up is the group's. */
        int both = writes_both(p, gr);
        double sender = byte_s(gr->src_kind, a, 1) + byte_s(gr->dst_kind, b, both);
        double receiver = byte_s(gr->src_kind, a, both) + byte_s(gr->dst_kind, b, 1);
        double most = sender > receiver ? sender : receiver;
        gr->setup_gbps = most > 0 ? 2 / most / 1e9 : 0;
    }
}

/* --dry-run's expectation of when the step reaches its precision at this cv. */
static long settled_iters(const struct gx_mstep *s, double cv)
{
    long n = gx_mstep_first_ask(s);
    if (s->precision <= 0 || n == GX_ASK_NEVER)
        return s->iters;
    while (n != GX_ASK_NEVER && median_spread(cv, n) > s->precision)
        n = gx_mstep_next_ask(s, n);
    return n == GX_ASK_NEVER ? s->iters : n;
}

static double step_seconds_of(const struct gx_mstep *s, long n, long warmup, long search)
{
    return gx_mstep_paced_iteration(s) *
           ((double)(n + warmup + search) + gx_mstep_check_iters(s)) +
           gx_mstep_beside_seconds(s, search > 0);
}

double gx_mstep_least_seconds(const struct gx_mstep *s)
{
    if (gx_mstep_first_ask(s) == GX_ASK_NEVER)
        return gx_mstep_paced_seconds(s);
    return step_seconds_of(s, s->floor_iters, s->warmup, gx_mstep_search_floor_iters(s));
}

double gx_dry_run_cv(size_t bytes)
{
    return bytes <= 64 * GX_KIB ? GX_DRY_RUN_CV : bytes <= GX_MIB ? GX_DRY_RUN_CV / 2
                                                                   : GX_DRY_RUN_CV / 4;
}

/* Up to where it settles, cut to its share but never below its least. */
static double step_planned(struct gx_budget *bg, const struct gx_mstep *s, double *now,
                           double *share_out)
{
    double cv = s->dry_cv > 0 ? s->dry_cv : gx_dry_run_cv(s->size);
    double t = step_seconds_of(s, settled_iters(s, cv), s->warmup,
                               gx_mstep_search_iters(s));
    struct gx_mstep run_knows = *s; /* the run shares its budget without the pilot's pace */
    run_knows.paced_s = 0;
    run_knows.check_fill = 0;
    run_knows.search_weight = 0;
    run_knows.measure_s = 0;
    double share = *share_out = gx_budget_share(bg, &run_knows, *now);
    if (bg->seconds > 0 && s->min_iters < s->iters && t > share) {
        double least = gx_mstep_least_seconds(s);
        t = share > least ? share : least;
    }
    *now += t;
    gx_budget_ran(bg, s, t);
    return t;
}

/* Two buffers of its largest size: much of a large group's time (docs/ceilings.md). */
#define GX_SETUP_GBPS 5
double gx_mgroup_setup_seconds(const struct gx_mgroup *g)
{
    double gbps = g->setup_gbps > 0 ? g->setup_gbps : GX_SETUP_GBPS;
    return g->absent ? 0 : 2 * (double)g->largest / (gbps * 1e9) + g->own_setup_s;
}

int gx_mgroup_visits(const struct gx_mplan *p, const struct gx_mgroup *g)
{
    int v = 0;
    for (size_t i = g->first; i < g->first + g->n; i++)
        v = gx_mplan_step_visits(p, i) > v ? gx_mplan_step_visits(p, i) : v;
    return v;
}

/* A later visit sets up buffers of the sizes of the steps it has. */
double gx_mgroup_setup_all(const struct gx_mplan *p, const struct gx_mgroup *g)
{
    double parts = 0;
    int visits = gx_mgroup_visits(p, g);
    for (int v = 1; g->largest > 0 && v <= visits; v++) {
        size_t largest = 0;
        for (size_t i = g->first; i < g->first + g->n; i++)
            if (gx_mplan_step_visits(p, i) >= v && p->steps[i].size > largest)
                largest = p->steps[i].size;
        parts += (double)largest / (double)g->largest;
    }
    return gx_mgroup_setup_seconds(g) * parts;
}

void gx_budget_start(struct gx_budget *bg, const struct gx_mplan *p, double seconds, double now)
{
    bg->seconds = seconds;
    bg->t0 = now;
    bg->estimate_left = 0;
    bg->steps_left = 0;
    bg->setup_left = 0;
    bg->setup_ran = 0;
    bg->estimate_ran = 0;
    bg->first_left = bg->first_ran = bg->first_s = bg->later_s = 0;
    for (size_t g = 0; g < p->ngroups; g++)
        bg->setup_left += gx_mgroup_setup_all(p, &p->groups[g]);
    double least[2] = {0}, est[2] = {0}; /* first visits', later ones' */
    for (size_t i = 0; i < p->nsteps; i++) {
        int v = gx_mplan_step_visits(p, i);
        if (v > 0) {
            struct gx_mstep first = gx_mstep_visit(&p->steps[i], v, 1);
            struct gx_mstep later = gx_mstep_visit(&p->steps[i], v, 0);
            bg->first_left += first.estimate_s;
            bg->estimate_left += first.estimate_s + (v - 1) * later.estimate_s;
            if (v > 1) {
                least[0] += gx_mstep_least_seconds(&first);
                est[0] += first.estimate_s;
                least[1] += (v - 1) * gx_mstep_least_seconds(&later);
                est[1] += (v - 1) * later.estimate_s;
            }
        }
        bg->steps_left += v;
    }
    bg->later_per_first = least[0] > 0 && est[1] > 0 ? least[1] / est[1] * est[0] / least[0] : 1;
}

static double share_part(const struct gx_budget *bg, double w)
{
    double steps = bg->steps_left > 0 ? (double)bg->steps_left : 1;
    double by_estimate = bg->estimate_left > 0 ? w / bg->estimate_left : 1 / steps;
    return GX_BUDGET_EVEN / steps + (1 - GX_BUDGET_EVEN) * by_estimate;
}

double gx_budget_left(const struct gx_budget *bg, double now)
{
    double left = bg->seconds - GX_BUDGET_RESERVE_S - bg->setup_left - (now - bg->t0);
    return left > 0 ? left : 0;
}

int gx_budget_at_risk(const struct gx_budget *bg, double now)
{
    if (bg->seconds <= 0 || !(bg->estimate_ran > 0))
        return 0;
    double steps = now - bg->t0 - bg->setup_ran;
    steps = steps > 0 ? steps : 0;
    double ended = bg->first_s + bg->later_s, later_ran = bg->estimate_ran - bg->first_ran;
    if (!(ended > 0) || !(bg->first_ran > 0)) /* no visit's own time: all at one pace */
        return bg->estimate_left * steps / bg->estimate_ran > gx_budget_left(bg, now);
    /* The time between the visits (their results collected and agreed) in proportion. */
    double first = bg->first_s / bg->first_ran * steps / ended;
    double later = later_ran > 0 && bg->later_s > 0 ? bg->later_s / later_ran * steps / ended
                                                    : first * bg->later_per_first;
    double to_come = bg->first_left * first + (bg->estimate_left - bg->first_left) * later;
    return to_come > gx_budget_left(bg, now);
}

/* The least of the steps to come is not held back: at the nominal rates it came to nearly a
 * default run's whole budget, while steps end far sooner and hand on the rest. */
static double share_of(const struct gx_budget *bg, const struct gx_mstep *s, double left)
{
    double least = gx_mstep_least_seconds(s);
    double part = left * share_part(bg, s->estimate_s);
    return part > least ? part : least;
}

double gx_budget_share(struct gx_budget *bg, const struct gx_mstep *s, double now)
{
    double share = bg->seconds > 0 ? share_of(bg, s, gx_budget_left(bg, now)) : 0;
    gx_budget_skip(bg, s, 1);
    bg->estimate_ran += s->estimate_s;
    bg->first_ran += s->later ? 0 : s->estimate_s;
    if (bg->seconds <= 0)
        return 0;
    return share > 1e-3 ? share : 1e-3;
}

void gx_budget_ran(struct gx_budget *bg, const struct gx_mstep *s, double seconds)
{
    *(s->later ? &bg->later_s : &bg->first_s) += seconds > 0 ? seconds : 0;
}

void gx_budget_setup_spent(struct gx_budget *bg, double seconds)
{
    bg->setup_ran += seconds;
    bg->setup_left = bg->setup_left > seconds ? bg->setup_left - seconds : 0;
}

void gx_budget_skip(struct gx_budget *bg, const struct gx_mstep *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bg->estimate_left -= s[i].estimate_s;
        bg->first_left -= s[i].later ? 0 : s[i].estimate_s;
    }
    bg->estimate_left = bg->estimate_left > 0 ? bg->estimate_left : 0;
    bg->first_left = bg->first_left > 0 ? bg->first_left : 0;
    bg->steps_left = bg->steps_left > (long)n ? bg->steps_left - (long)n : 0;
}
double gx_mplan_overhead(const struct gx_mplan *p)
{
    return GX_JOB_OVERHEAD_S + (p->cuda_start ? GX_CUDA_START_S : 0);
}

double gx_mplan_step_least(const struct gx_mplan *p, size_t i)
{
    /* A later visit searches no chunk: its data check, warm-up and fewest. */
    int v = gx_mplan_step_visits(p, i);
    struct gx_mstep first = gx_mstep_visit(&p->steps[i], v, 1);
    struct gx_mstep s = gx_mstep_visit(&p->steps[i], v, 0);
    double later = step_seconds_of(&s, s.floor_iters, s.warmup, 0);
    return gx_mstep_least_seconds(&first) + (v - 1) * later;
}

void gx_mplan_step_visits_planned(struct gx_budget *bg, const struct gx_mplan *p, size_t i,
                                  double *now)
{
    int visits = gx_mplan_step_visits(p, i);
    for (int v = 0; v < visits; v++) {
        struct gx_mstep part = gx_mstep_visit(&p->steps[i], visits, v == 0);
        double share, t = step_planned(bg, &part, now, &share);
        double cut = gx_mplan_cut_factor(p, &p->steps[i], v + 1, visits);
        /* Given up as the run gives it up (harness.c): the visits after this one. */
        if (bg->seconds > 0 && cut > 0 && t > cut * share && gx_budget_at_risk(bg, *now)) {
            struct gx_mstep later = gx_mstep_visit(&p->steps[i], visits, 0);
            for (int w = v + 1; w < visits; w++)
                gx_budget_skip(bg, &later, 1);
            return;
        }
    }
}

double gx_mplan_cut_factor(const struct gx_mplan *p, const struct gx_mstep *s, int visit,
                           int visits)
{
    if (visits <= 1 || visit >= visits)
        return 0;
    if (visit == 1)
        return GX_VISITS_CUT;
    int least = s->best_of ? GX_LEAST_PROBE_VISITS
                : visits < p->nvisits ? GX_LEAST_LONG_VISITS : GX_LEAST_VISITS;
    return !p->visits_asked && visit >= least ? GX_VISITS_CUT_LATER : 0;
}

double gx_budget_least(const struct gx_mplan *p)
{
    double secs = GX_BUDGET_RESERVE_S;
    for (size_t g = 0; g < p->ngroups; g++) {
        const struct gx_mgroup *gr = &p->groups[g];
        if (gr->absent)
            continue;
        secs += gx_mgroup_setup_all(p, gr);
        for (size_t i = gr->first; i < gr->first + gr->n; i++)
            secs += gx_mplan_step_least(p, i);
    }
    return secs;
}

void gx_budget_print(FILE *f, const struct gx_mplan *p, const struct gx_options *o)
{
    if (o->g.budget <= 0)
        return;
    double least = gx_budget_least(p);
    if (least > (double)o->g.budget * GX_BUDGET_SLACK)
        gx_print_note(f, "# budget %ld s cannot be kept: the plan's least (every step's "
                      "validation, warm-up and fewest iterations, and its setup) takes about "
                      "%.1f s at the estimated rates\n", o->g.budget, least);
    struct gx_budget bg;
    gx_budget_start(&bg, p, (double)o->g.budget, 0);
    double avail = gx_budget_left(&bg, 0);
    long fewest = -1, steps = 0, capped = 0;
    double precision = 0;
    for (size_t i = 0; i < p->nsteps; i++) {
        if (!gx_mplan_step_visits(p, i))
            continue;
        struct gx_mstep part = gx_mstep_visit(&p->steps[i], gx_mplan_step_visits(p, i), 1);
        const struct gx_mstep *s = &part;
        if (s->min_iters >= s->iters || s->estimate_s <= 0)
            continue;
        steps++;
        precision = p->steps[i].precision > precision ? p->steps[i].precision : precision;
        double per_iter = gx_mstep_paced_iteration(s);
        double fixed = per_iter * gx_mstep_runs(s, 0);
        double share = share_of(&bg, s, avail);
        long n = (long)((share - fixed) / per_iter);
        if (n >= s->iters)
            capped++;
        n = n < s->floor_iters ? s->floor_iters : n > s->iters ? s->iters : n;
        if (fewest < 0 || n < fewest)
            fewest = n;
    }
    if (steps == 0)
        return;
    gx_print_note(f, "# budget %ld s for %ld steps (ceiling probes included): each stops once its "
            "median is known to +-%.3g%% or its share is spent; at the estimated rates every "
            "step affords %ld iterations or more%s (%ld steps all of theirs): +-%.2g%% where "
            "iterations vary by %.0f%%\n", o->g.budget, steps, 100 * precision, fewest,
            p->nvisits > 1 ? " in each of its visits" : "", capped,
            100 * median_spread(GX_DRY_RUN_CV, fewest), 100 * GX_DRY_RUN_CV);
}
