#include "config.h"
#include "harness.h"
#include "clock.h"
#include "collect.h"
#include "endpoint.h"
#include "measure.h"

#include "fault.h"
#include "gpu_state.h"
#include "noise.h"
#include "pairs.h"
#include "path.h"
#include "pattern.h"
#include "probe.h"
#include "stop.h"
#include "visits.h"
#include "watchdog.h"

#include <stdlib.h>
#include <string.h>

struct gx_harness {
    const struct gx_job *job;
    const struct gx_options *o;
    const struct gx_mplan *plan;
    struct gx_bench b;
    struct gx_collect c;
    const struct gx_sink_door *sink;
    struct gx_harness_out *ho;
    struct gx_ceilings *ceilings; /* rank 0 */
    double probe_s;
    int ceilings_reported;
    struct gx_budget budget;
    struct gx_visits visits;
    int visit;                    /* 1 first */
    int *visits_of;               /* per step: the plan's, or 1 once cut */
    struct {
        double setup_s;           /* one visit's: the guess, then as measured */
        double setup_kept;        /* kept back for its set-ups to come */
        int skipped;              /* this pass */
    } *group;                     /* per group of the plan */
};

static void arm(const struct gx_bench *b, const struct gx_round *round, const struct gx_mstep *st)
{
    char what[512], chunk[64] = "";
    int used;
    if (st->ncand > 1)
        snprintf(chunk, sizeof chunk, " chunk best of %d", st->ncand);
    else if (st->chunk)
        snprintf(chunk, sizeof chunk, " chunk %zu depth %d", st->chunk, st->depth);
    /* A group by its first and last rank, as the table names it. */
    const char *to = round->group_of ? ".." : ":";
    used = snprintf(what, sizeof what, "run '%s' %s %s pattern %s size %zu%s %s ",
                    b->run->name[0] ? b->run->name : "-", b->probe >= 0 ? "ceiling probe" : "path",
                    b->ep.ops->name, gx_pattern_table[st->pattern]->name, st->size, chunk,
                    !round->group_of ? "pairs" : round->npairs > 1 ? "groups" : "group");
    for (int i = 0; i < round->npairs && used > 0 && (size_t)used + 24 < sizeof what; i++)
        used += snprintf(what + used, sizeof what - (size_t)used, "%s%d%s%d", i ? "," : "",
                         round->pairs[i].a, to, round->pairs[i].b);
    double t = b->job->g->timeout > 0
                   ? (double)b->job->g->timeout
                   : gx_default_timeout(st->size, st->iters + gx_mstep_search_iters(st),
                                        st->warmup, st->window);
    gx_watchdog_arm(what, round, b->job->size, t);
}

/* Step i's visits from `from` on; with budget, their time goes to the steps that run. */
static long step_visits_from(struct gx_harness *h, size_t i, int from, int budget)
{
    int visits = h->visits_of[i];
    long n = visits >= from ? visits - from + 1 : 0;
    for (int v = from > 1 ? from : 1; budget && v <= visits; v++) {
        struct gx_mstep part = gx_mstep_visit(&h->plan->steps[i], visits, v == 1);
        gx_budget_skip(&h->budget, &part, 1);
    }
    return n;
}

static int cut_visits(struct gx_harness *h, size_t i, int cut, struct gx_err *err)
{
    GX_MPI_TRY(err, MPI_Allreduce(MPI_IN_PLACE, &cut, 1, MPI_INT, MPI_MAX, h->job->comm));
    if (!cut)
        return GX_OK;
    h->sink->ops->steps_skipped(h->sink->ctx, step_visits_from(h, i, h->visit + 1, 1));
    h->visits_of[i] = h->visit;
    return GX_OK;
}

static int run_step(struct gx_harness *h, const struct gx_mgroup *g, const struct gx_round *round,
                    size_t i, struct gx_err *err)
{
    struct gx_bench *b = &h->b;
    const struct gx_mstep *st = &h->plan->steps[i];
    int visits = h->visits_of[i];
    struct gx_mstep again = gx_visits_step(&h->visits, i, st);
    struct gx_mstep part = gx_mstep_visit(&again, visits, h->visit == 1);
    char name[48];
    snprintf(name, sizeof name, "%s%s", b->probe >= 0 && !g->own ? "ceiling:" : "",
             b->ep.ops->name);
    h->sink->ops->step(h->sink->ctx, st->size, name, gx_pattern_table[st->pattern]->name,
                       visits > 1 ? h->visit : 0, visits, gx_bench_budget_left(b));
    struct gx_record rec = {.state = GX_STATE_IDLE, .valid = 1, .bad_offset = -1};
    /* A library that took a stop signal's action while setting up must not keep it. */
    char who[400];
    gx_watchdog_reclaim_signals(who, sizeof who);
    if (who[0] && b->job->rank == 0)
        fprintf(stderr, "gpuxfer: note: %s\n", who);
    arm(b, round, st);
    double step_t0 = gx_wtime();
    b->share_s = gx_budget_share(&h->budget, &part, step_t0);
    long slices0, slices1 = -1;
    double w0_t = gx_wtime(), wait0 = gx_cpu_wait_s(&slices0);
    if (b->pair) {
        struct gx_err merr = {0};
        int rc = gx_measure_best(b, &part, &rec, &merr);
        if (rc == GX_ESKIP || rc == GX_ERUNTIME) {
            rec.state = rc == GX_ESKIP ? GX_STATE_SKIPPED : GX_STATE_FAILED;
            snprintf(rec.reason, sizeof rec.reason, "%.231s", merr.msg);
        } else if (rc != GX_OK) {
            *err = merr;
            return rc;
        } else {
            rec.state = GX_STATE_OK;
        }
    }
    gx_watchdog_measured();
    rec.elapsed_s = gx_wtime() - step_t0;
    gx_budget_ran(&h->budget, &part, rec.elapsed_s);
    double wait1 = wait0 >= 0 ? gx_cpu_wait_s(&slices1) : -1;
    /* The reads included: a wait ending inside one is counted by the second. */
    rec.cpu_window_s = gx_wtime() - w0_t;
    rec.cpu_wait_s = wait1 >= 0 ? wait1 - wait0 : -1;
    rec.cpu_waits = slices0 >= 0 && slices1 >= 0 ? slices1 - slices0 : -1;
    if (b->pair && b->share_s > 0 && rec.elapsed_s > b->share_s)
        h->ho->past_share++;
    rec.signal = gx_watchdog_take_signal();
    if (gx_gpu_lost_why()[0]) { /* nothing measured on it can be trusted */
        rec.gpu_lost = 1;
        rec.state = GX_STATE_FAILED;
        snprintf(rec.reason, sizeof rec.reason, "%.231s", gx_gpu_lost_why());
    }
    int rc = GX_OK;
    if (visits > 1) { /* out of memory on one rank: every rank stops */
        rc = b->pair ? gx_visits_join(&h->visits, i, b, &rec, err) : GX_OK;
        rc = gx_agree(h->job->comm, rc, err);
    }
    b->step = i;
    b->visits_planned = gx_mplan_step_visits(h->plan, i);
    double cut = gx_mplan_cut_factor(h->plan, st, h->visit, visits);
    if (rc == GX_OK && cut > 0)
        rc = cut_visits(h, i, b->pair && b->share_s > 0 && rec.elapsed_s > cut * b->share_s &&
                                  gx_budget_at_risk(&h->budget, gx_wtime()),
                        err);
    b->last = h->visit >= h->visits_of[i];
    if (rc == GX_OK)
        rc = gx_collect_step(b, st, g, round, &rec, &h->c, h->sink, err);
    if (b->probe < 0) /* a fault's size is a result's */
        gx_fault_moment(b->job->rank, GX_AT_COLLECTED, st->size);
    if (rc == GX_OK)
        rc = gx_stop_if_signalled(h->job, &h->c, h->ho, err);
    gx_watchdog_disarm();
    return rc;
}


/* Rank 0: a probe that cannot run leaves its points absent, with the reason. */
static int probe_absent(struct gx_harness *h, const struct gx_mgroup *g,
                        const struct gx_round *round, const char *why, struct gx_err *err)
{
    const struct gx_probe *pb = &gx_probes[g->probe];
    for (size_t i = g->first; i < g->first + g->n && h->ceilings; i++) {
        const struct gx_mstep *st = &h->plan->steps[i];
        enum gx_ceil_kind kind = pb->kind[gx_pattern_table[st->pattern]->family];
        struct gx_ceil_point pt = {.size = st->size};
        for (int k = 0; k < round->npairs && kind != GX_CEIL_NONE; k++)
            GX_TRY(gx_ceilings_put(h->ceilings, kind, round->pairs[k].a,
                                   pb->per_gpu ? -1 : round->pairs[k].b,
                                   pb->ops ? pb->ops->what : pb->name, &pt, why, err));
    }
    return GX_OK;
}

static long visits_from(struct gx_harness *h, const struct gx_mgroup *g, int from, int budget)
{
    long n = 0;
    for (size_t i = g->first; i < g->first + g->n; i++)
        n += step_visits_from(h, i, from, budget);
    return n;
}

static size_t visit_largest(const struct gx_harness *h, const struct gx_mgroup *g, int v)
{
    size_t largest = 0;
    for (size_t i = g->first; i < g->first + g->n; i++)
        if (h->visits_of[i] >= v && h->plan->steps[i].size > largest)
            largest = h->plan->steps[i].size;
    return largest;
}

/* A probe's set-up (pinned host regions at each visit) is a large part of a default run. */
static void keep_setup(struct gx_harness *h, size_t g, int from)
{
    const struct gx_mgroup *gr = &h->plan->groups[g];
    double parts = 0; /* the visits to come, each as a part of the first's buffers */
    for (int v = from; !h->group[g].skipped && gr->largest > 0 && v <= GX_MAX_VISITS; v++)
        parts += (double)visit_largest(h, gr, v) / (double)gr->largest;
    double kept = h->group[g].setup_s * parts;
    h->budget.setup_left += kept - h->group[g].setup_kept;
    h->budget.setup_left = h->budget.setup_left > 0 ? h->budget.setup_left : 0;
    h->group[g].setup_kept = kept;
}

/* Its visits from this one on leave the budget (already, where hand_on_skipped found it). */
static int skip_group(struct gx_harness *h, const struct gx_mgroup *g, const struct gx_round *round,
                      const char *why, struct gx_err *err)
{
    const struct gx_run_opts *run = &h->o->runs[g->run];
    int *skipped = &h->group[g - h->plan->groups].skipped;
    h->sink->ops->steps_skipped(h->sink->ctx, visits_from(h, g, h->visit, !*skipped));
    *skipped = 1; /* later visits pass it by */
    keep_setup(h, (size_t)(g - h->plan->groups), h->visit);
    if (h->job->rank != 0)
        return GX_OK;
    if (g->probe >= 0)
        return round ? probe_absent(h, g, round, why, err) : GX_OK;
    char with[sizeof(((struct gx_err *)0)->msg) + 96];
    const struct gx_vary *vary = &h->o->g.vary;
    if (g->vary) /* which value's */
        snprintf(with, sizeof with, "%s %s: %s", gx_vary_names[vary->option],
                 vary->v[g->vary - 1].text, why);
    h->sink->ops->skip(h->sink->ctx, run->name, gx_paths[g->path].name,
                       round ? round->pairs : NULL, round ? round->npairs : 0,
                       g->vary ? with : why);
    return GX_OK;
}

static const char *absent_why(const struct gx_mgroup *g)
{
    return g->absent ? g->absent : g->probe >= 0 ? "" : gx_path_setup_failed(g->path);
}

static const struct gx_mgroup *served_by(const struct gx_mplan *plan, const struct gx_mgroup *g)
{
    for (const struct gx_mgroup *n = g + 1; n < plan->groups + plan->ngroups; n++)
        if (n->probe < 0)
            return n->run == g->run && n->round == g->round ? n : NULL;
    return NULL;
}

/* Leaves g's endpoint open. A probe whose results are skipped is too, in one agreement. */
static int filter_group(struct gx_harness *h, const struct gx_mgroup *g,
                        const struct gx_round *round, struct gx_err *why)
{
    const struct gx_mgroup *results = g->probe >= 0 && !g->own ? served_by(h->plan, g) : NULL;
    struct gx_err theirs = {0};
    int rc = GX_OK;
    if (results && absent_why(results)[0])
        rc = gx_fail(&theirs, GX_ESKIP, "%s", absent_why(results));
    else if (results) {
        gx_open_endpoint(&h->b, h->o, h->plan, results, round, h->c.ranks);
        rc = gx_endpoint_filter(&h->b, &theirs);
    }
    /* last: a filter may leave state in the endpoint */
    gx_open_endpoint(&h->b, h->o, h->plan, g, round, h->c.ranks);
    int own = gx_endpoint_filter(&h->b, why);
    if (own != GX_OK || rc == GX_OK)
        return own;
    if (rc == GX_ESKIP)
        return gx_fail(why, GX_ESKIP, "the results it bounds are skipped: %.400s", theirs.msg);
    *why = theirs;
    return rc;
}

/* Else skips late in the plan would keep an early step to few iterations. */
static int hand_on_skipped(struct gx_harness *h, struct gx_err *err)
{
    for (size_t i = 0; i < h->plan->ngroups; i++) {
        const struct gx_mgroup *g = &h->plan->groups[i];
        int skip = absent_why(g)[0] != '\0';
        if (!skip) {
            struct gx_err why = {0};
            int rc = gx_agree(h->job->comm,
                              filter_group(h, g, &h->plan->pairs[g->run].rounds[g->round], &why),
                              &why);
            if (rc != GX_OK && rc != GX_ESKIP) {
                *err = why;
                return rc;
            }
            skip = rc == GX_ESKIP;
        }
        h->group[i].skipped = skip;
        keep_setup(h, i, 1);
        if (skip) /* every visit's time */
            (void)visits_from(h, g, 1, 1);
    }
    return GX_OK;
}

static int visited(const struct gx_harness *h, const struct gx_mgroup *g)
{
    for (size_t i = g->first; i < g->first + g->n; i++)
        if (h->visits_of[i] >= h->visit)
            return 1;
    return 0;
}

static int run_group(struct gx_harness *h, const struct gx_mgroup *g, struct gx_err *err)
{
    double t0 = gx_wtime();
    const struct gx_round *round = &h->plan->pairs[g->run].rounds[g->round];
    const char *absent = absent_why(g);
    if (absent[0])
        return skip_group(h, g, g->probe >= 0 ? round : NULL, absent, err);
    struct gx_err why = {0};
    int rc = gx_agree(h->job->comm, filter_group(h, g, round, &why), &why);
    if (rc == GX_ESKIP)
        return skip_group(h, g, round, why.msg, err);
    if (rc != GX_OK) {
        *err = why;
        return rc;
    }
    struct gx_bench *b = &h->b;
    if (b->pair && (rc = gx_open_group_comm(&b->ep, round, h->c.ranks, err)) != GX_OK)
        return rc;
    if (b->pair) {
        /* The largest first: no reallocation between sizes; the sizes that do not fit skip. */
        struct gx_err ignored = {0};
        (void)gx_ensure_capacity(&b->ep, visit_largest(h, g, h->visit), &ignored);
    }
    size_t gi = (size_t)(g - h->plan->groups);
    keep_setup(h, gi, h->visit + 1); /* this visit's is spent */
    double set_up = gx_wtime() - t0;
    h->budget.setup_ran += set_up;
    for (size_t i = g->first; i < g->first + g->n && rc == GX_OK; i++)
        if (h->visits_of[i] >= h->visit)
            rc = run_step(h, g, round, i, err);
    double t1 = gx_wtime();
    gx_close_group(&b->ep);
    double closing = gx_wtime() - t1;
    h->budget.setup_ran += closing;
    set_up += closing;
    h->ho->setup_s += set_up;
    /* The later visits' as the latest measured, not the guess; a path's first opening for its
     * pairs does what later ones do not (NCCL's communicator: seconds, once), so a first visit
     * measures them only where an earlier group opened the path. */
    if (h->visit > 1 || !g->opens)
        h->group[gi].setup_s = set_up;
    keep_setup(h, gi, h->visit + 1);
    return rc;
}

static int setup_paths(const struct gx_job *job, const struct gx_mplan *plan, struct gx_err *err)
{
    unsigned char used[GX_PATHS_MAX] = {0};
    for (size_t g = 0; g < plan->ngroups; g++)
        if (plan->groups[g].probe < 0 && !plan->groups[g].absent)
            used[plan->groups[g].path] = 1;
    return gx_paths_setup(job, used, err);
}

static int soak_goes_on(const struct gx_job *job, const struct gx_options *o, double t0,
                        int *more, struct gx_err *err)
{
    int go = job->rank == 0 && gx_wtime() - t0 < (double)o->g.soak;
    GX_MPI_TRY(err, MPI_Bcast(&go, 1, MPI_INT, 0, job->comm));
    *more = go;
    return GX_OK;
}

static int report_ceilings(struct gx_harness *h, struct gx_err *err)
{
    if (h->ceilings_reported || !h->ceilings || h->job->rank != 0)
        return GX_OK;
    h->ceilings_reported = 1;
    h->ceilings->seconds = h->probe_s;
    return h->sink->ops->ceilings(h->sink->ctx, h->ceilings, err);
}

static int run_visit(struct gx_harness *h, long pass, struct gx_err *err)
{
    int rc = GX_OK;
    for (size_t g = 0; g < h->plan->ngroups && rc == GX_OK; g++) {
        const struct gx_mgroup *gr = &h->plan->groups[g];
        if (h->visit > 1 && (h->group[g].skipped || !visited(h, gr)))
            continue;
        double t0 = gx_wtime();
        rc = run_group(h, gr, err);
        if (gr->probe >= 0 && !gr->own) /* the ceilings' time, not the map's */
            h->probe_s += gx_wtime() - t0;
        /* At once: a report written on a signal or timeout keeps them. */
        if (rc == GX_OK && gr->probe >= 0 && h->ceilings && h->job->rank == 0 && pass == 1) {
            h->ceilings->seconds = h->probe_s;
            rc = h->sink->ops->ceilings_so_far(h->sink->ctx, h->ceilings, err);
        }
    }
    return rc;
}

static int run_passes(struct gx_harness *h, struct gx_err *err)
{
    const struct gx_options *o = h->o;
    struct gx_harness_out *ho = h->ho;
    double t0 = gx_wtime();
    int rc = GX_OK;
    for (long pass = 1; rc == GX_OK; pass++) {
        h->sink->ops->pass(h->sink->ctx, pass);
        gx_budget_start(&h->budget, h->plan, (double)o->g.budget, gx_wtime());
        h->budget.setup_left = 0; /* kept back group by group, as measured */
        for (size_t g = 0; g < h->plan->ngroups; g++)
            h->group[g].setup_kept = 0;
        gx_visits_reset(&h->visits);
        for (size_t i = 0; i < h->plan->nsteps; i++)
            h->visits_of[i] = gx_mplan_step_visits(h->plan, i);
        h->visit = 1;
        rc = hand_on_skipped(h, err);
        for (; rc == GX_OK && h->visit <= h->plan->nvisits; h->visit++)
            rc = run_visit(h, pass, err);
        if (rc == GX_OK)
            rc = report_ceilings(h, err);
        if (rc != GX_OK || o->g.soak <= 0)
            break;
        ho->rotations = pass;
        ho->soak_s = gx_wtime() - t0;
        if (h->job->rank == 0)
            h->sink->ops->soak(h->sink->ctx, o->g.soak, ho->soak_s, ho->rotations);
        int more = 0;
        if ((rc = soak_goes_on(h->job, o, t0, &more, err)) != GX_OK || !more)
            break;
    }
    ho->measured_s = gx_wtime() - t0;
    if (o->g.soak > 0)
        ho->soak_s = ho->measured_s; /* also when a pass was cut short */
    else if (rc == GX_OK)
        ho->rotations = 1;
    return rc;
}

int gx_harness_run(const struct gx_job *job, const struct gx_options *o,
                   const struct gx_mplan *plan, const struct gx_sink_door *sink,
                   struct gx_ceilings *ceilings, struct gx_harness_out *ho, struct gx_err *err)
{
    int probed = 0;
    /* A run's own probes keep their points where the ceilings do, even without --ceilings. */
    for (int r = 0; r < o->nruns; r++)
        probed |= o->runs[r].ceilings != GX_CEILINGS_OFF || o->runs[r].nprobes > 0;
    struct gx_harness h = {.job = job, .o = o, .plan = plan, .sink = sink, .ho = ho,
                           .ceilings = job->rank == 0 && probed ? ceilings : NULL};
    int rc = GX_OK;
    memset(ho, 0, sizeof *ho);
    ho->gpu_lost_rank = -1;
    h.b.job = job;
    h.b.ceilings = h.ceilings;
    h.b.sink = job->rank == 0 ? sink : NULL;
    h.b.budget = &h.budget;
    size_t maxpairs = (size_t)job->size; /* the most pairs of any round, or a group's ranks */
    for (int r = 0; r < o->nruns; r++)
        for (int k = 0; k < plan->pairs[r].nrounds; k++)
            if ((size_t)plan->pairs[r].rounds[k].npairs > maxpairs)
                maxpairs = (size_t)plan->pairs[r].rounds[k].npairs;
    h.c.ranks = calloc(2 * maxpairs, sizeof *h.c.ranks);
    h.visits_of = calloc(plan->nsteps ? plan->nsteps : 1, sizeof *h.visits_of);
    h.group = calloc(plan->ngroups ? plan->ngroups : 1, sizeof *h.group);
    for (size_t g = 0; h.group && g < plan->ngroups; g++)
        h.group[g].setup_s = gx_mgroup_setup_seconds(&plan->groups[g]);
    if (!h.c.ranks || !h.visits_of || !h.group)
        rc = gx_fail(err, GX_ERUNTIME, "out of host memory for %zu pairs' ranks", maxpairs);
    if (rc == GX_OK)
        rc = gx_visits_init(&h.visits, plan->nsteps, err);
    if (job->rank == 0 && rc == GX_OK) {
        h.c.recs = calloc((size_t)job->size, sizeof *h.c.recs);
        h.c.counts = calloc((size_t)job->size, sizeof *h.c.counts);
        h.c.displs = calloc((size_t)job->size, sizeof *h.c.displs);
        if (!h.c.recs || !h.c.counts || !h.c.displs)
            rc = gx_fail(err, GX_ERUNTIME, "out of host memory for %d ranks' records", job->size);
    }
    rc = gx_agree(job->comm, rc, err);
    gx_fault_epoch(); /* every rank leaves the agreement at once: one epoch for the job */
    if (rc == GX_OK)
        rc = setup_paths(job, plan, err);
    if (rc == GX_OK)
        rc = run_passes(&h, err);
    sink->ops->end(sink->ctx);
    gx_paths_teardown();
    free(h.b.samples);
    free(h.b.sorted);
    free(h.c.recs);
    free(h.c.samples);
    free(h.c.counts);
    free(h.c.displs);
    free(h.c.ranks);
    free(h.visits_of);
    free(h.group);
    gx_visits_free(&h.visits);
    return rc;
}
