/* The engine's fakes (engine_fake.h): the clock, the pattern, the sink, the plans. */
#include "config.h"
#include "engine_fake.h"

#include "clock.h"
#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "watchdog.h"

#include <stdlib.h>
#include <string.h>

double fake_now = 1000.0; /* not 0: nothing may take a time of 0 for "never" */
void (*fake_during)(const struct fake_at *at);

static struct gx_job job;
static int job_node_of[1];
static fake_secs_fn script;
static struct fake_at at;

static double fake_clock(void)
{
    return fake_now;
}

/* ------------------------------------------------------------------ the pattern */

/* No data moves: the iteration lasts what the script says, on the clock the engine reads. */
static int fake_iterate(struct gx_ep *ep, size_t bytes, int window, double *seconds,
                        struct gx_err *err)
{
    (void)ep, (void)bytes, (void)window, (void)err;
    double s = script(&at);
    fake_now += s;
    if (fake_during)
        fake_during(&at);
    at.iter++;
    *seconds = s;
    return GX_OK;
}

static double fake_value(size_t bytes, int window, double seconds, int nranks)
{
    (void)nranks;
    (void)bytes, (void)window;
    return seconds * 1e6;
}

/* In the test programs' pattern table (-DGX_EXTRA_PATTERN, as tests/gpuxfer_toy's). Both ways:
 * the data check of a pair of one rank is then its message to itself and back, none left over. */
const struct gx_pattern_ops gx_pattern_fake = {
    .name = "fake",
    .unit = "us",
    .what = "no data moved, each iteration as long as the test's script says (unit tests only)",
    .uses_window = GX_WINDOW_NONE,
    .lower_is_better = 1,
    .both_ways = 1,
    .family = GX_FAMILY_LATENCY,
    .iterate = fake_iterate,
    .value = fake_value,
};

double fake_steady(const struct fake_at *a)
{
    (void)a;
    return 1e-3;
}

double fake_noisy(const struct fake_at *a)
{
    return a->iter % 2 ? 3e-3 : 1e-3;
}

/* ------------------------------------------------------------------ the sink */

static struct fake_record *heard;

static void on_pass(void *ctx, long pass)
{
    (void)ctx, (void)pass;
    heard->passes++;
}

static void on_step(void *ctx, size_t size, const char *what, const char *pattern, int visit,
                    int visits, double budget_left)
{
    (void)ctx, (void)what, (void)pattern, (void)visits, (void)budget_left;
    if (heard->steps < FAKE_MAX) {
        heard->step_size[heard->steps] = size;
        heard->step_visit[heard->steps] = visit;
        heard->step_at[heard->steps] = fake_now;
    }
    heard->steps++;
    at = (struct fake_at){.size = size, .visit = visit};
}

static void on_precision(void *ctx, double reached, double budget_left)
{
    (void)ctx, (void)reached, (void)budget_left;
    heard->precisions++;
}

static void on_steps_skipped(void *ctx, long n)
{
    (void)ctx;
    heard->steps_skipped += n;
}

static void on_skip(void *ctx, const char *run, const char *path, const struct gx_pair *pairs,
                    int npairs, const char *reason)
{
    (void)ctx, (void)run, (void)path, (void)pairs, (void)npairs;
    heard->skips++;
    snprintf(heard->skip_why, sizeof heard->skip_why, "%s", reason);
}

static void on_round_begin(void *ctx, int round, int nrounds, int npairs)
{
    (void)ctx, (void)round, (void)nrounds, (void)npairs;
}

static int on_result(void *ctx, const struct gx_result *res, struct gx_err *err)
{
    (void)ctx;
    if (heard->nres >= FAKE_MAX)
        return gx_fail(err, GX_ERUNTIME, "the fake sink keeps %d results", FAKE_MAX);
    struct fake_result *r = &heard->res[heard->nres++];
    *r = (struct fake_result){
        .size = res->size, .step = res->step, .state = res->state, .valid = res->valid,
        .ended = res->ended, .visits = res->visits, .visits_planned = res->visits_planned,
        .last = res->last, .iters = res->iters, .share_s = res->share_s,
        .elapsed_s = res->elapsed_s, .stats = res->stats, .marks = res->noise.marks,
        .end_due = gx_watchdog_end_due(),
    };
    memcpy(r->visit_median, res->visit_median, sizeof r->visit_median);
    r->nsamples = res->nsamples < FAKE_MAX_SAMPLES ? res->nsamples : FAKE_MAX_SAMPLES;
    if (res->samples)
        memcpy(r->samples, res->samples, r->nsamples * sizeof *r->samples);
    return GX_OK;
}

static int on_round_end(void *ctx, struct gx_err *err)
{
    (void)ctx, (void)err;
    return GX_OK;
}

static int on_ceilings(void *ctx, const struct gx_ceilings *c, struct gx_err *err)
{
    (void)ctx, (void)c, (void)err;
    return GX_OK;
}

static void on_soak(void *ctx, long seconds, double seconds_run, long passes)
{
    (void)ctx, (void)seconds, (void)seconds_run, (void)passes;
}

static void on_end(void *ctx)
{
    (void)ctx;
    heard->ends++;
}

static const struct gx_sink_ops fake_sink = {
    .pass = on_pass, .step = on_step, .precision = on_precision,
    .steps_skipped = on_steps_skipped, .skip = on_skip, .round_begin = on_round_begin,
    .result = on_result, .round_end = on_round_end, .ceilings_so_far = on_ceilings,
    .ceilings = on_ceilings, .soak = on_soak, .end = on_end,
};

/* ------------------------------------------------------------------ the plans and the run */

int fake_init(int *argc, char ***argv, struct gx_err *err)
{
    GX_MPI_TRY(err, MPI_Init(argc, argv));
    gx_clock = (struct gx_clock){.wtime = fake_clock, .monotonic = fake_clock};
    MPI_Comm comm;
    GX_MPI_TRY(err, MPI_Comm_dup(MPI_COMM_WORLD, &comm));
    GX_MPI_TRY(err, MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN));
    job = (struct gx_job){.comm = comm, .size = 1, .node_comm = MPI_COMM_SELF,
                          .local_size = 1, .nnodes = 1, .node_of = job_node_of, .gpu = -1,
                          .cuda_aware_why = "a unit test", .mpi_notice = ""};
    /* The watchdog learns its rank (its thread is never started: nothing ends the process). */
    return gx_watchdog_mpi_ready(err);
}

int fake_fini(void)
{
    int rc = MPI_Comm_free(&job.comm);
    int frc = MPI_Finalize();
    return rc == MPI_SUCCESS && frc == MPI_SUCCESS ? GX_OK : GX_ERUNTIME;
}

void fake_plan_init(struct fake_plan *fp, long budget_s, int visits)
{
    memset(fp, 0, sizeof *fp);
    fp->o.nruns = 1;
    fp->o.g.budget = budget_s;
    snprintf(fp->o.runs[0].name, sizeof fp->o.runs[0].name, "engine");
    fp->pair = (struct gx_pair){0, 0};
    fp->round = (struct gx_round){.npairs = 1, .pairs = &fp->pair};
    fp->plan.nruns = 1;
    fp->plan.pairs[0] = (struct gx_pairs){.nrounds = 1, .rounds = &fp->round};
    fp->plan.groups = fp->groups;
    fp->plan.gcap = FAKE_MAX;
    fp->plan.steps = fp->steps;
    fp->plan.scap = FAKE_MAX;
    fp->plan.nvisits = fp->plan.long_visits = visits;
}

void fake_group(struct fake_plan *fp, const char *absent)
{
    int host = gx_path_lookup("host");
    fp->groups[fp->plan.ngroups++] = (struct gx_mgroup){
        .path = host, .probe = -1, .src_kind = gx_paths[host].ops->default_src,
        .dst_kind = gx_paths[host].ops->default_dst, .absent = absent,
        .first = fp->plan.nsteps};
}

struct gx_mstep *fake_step(struct fake_plan *fp, size_t size, long iters, double iter_s)
{
    struct gx_mgroup *g = &fp->groups[fp->plan.ngroups - 1];
    struct gx_mstep *s = &fp->steps[fp->plan.nsteps++];
    *s = (struct gx_mstep){.pattern = gx_pattern_lookup("fake"), .size = size, .iters = iters,
                           .min_iters = gx_min_iters(iters), .warmup = 2, .window = 1,
                           .precision = 0.01, .ncand = 1};
    s->floor_iters = s->min_iters;
    s->estimate_s = iter_s * (double)(iters + s->warmup + 2); /* as the planner counts a step */
    g->n++;
    g->largest = size > g->largest ? size : g->largest;
    return s;
}

void fake_exact(struct gx_mstep *s, long iters)
{
    double iter_s = s->estimate_s / (double)(s->iters + s->warmup + 2);
    s->iters = s->min_iters = s->floor_iters = iters;
    s->precision = 0;
    s->estimate_s = iter_s * (double)(iters + s->warmup + 2);
}

/* The stop rule's word from the initiator to its peer is a message of rank 0 to itself that
 * no one receives: taken here, so that one case leaves nothing for the next. */
static int drain(struct gx_err *err)
{
    for (;;) {
        int flag = 0, n = 0;
        MPI_Status st;
        GX_MPI_TRY(err, MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, job.comm, &flag, &st));
        if (!flag)
            return GX_OK;
        GX_MPI_TRY(err, MPI_Get_count(&st, MPI_BYTE, &n));
        char *buf = malloc(n > 0 ? (size_t)n : 1);
        if (!buf)
            return gx_fail(err, GX_ERUNTIME, "out of host memory");
        int rc = MPI_Recv(buf, n, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG, job.comm,
                          MPI_STATUS_IGNORE);
        free(buf);
        GX_MPI_TRY(err, rc);
    }
}

int fake_run(struct fake_plan *fp, fake_secs_fn secs, struct fake_record *rec,
             struct gx_err *err)
{
    struct gx_sink_door door = {&fake_sink, NULL};
    struct gx_harness_out ho;
    memset(rec, 0, sizeof *rec);
    heard = rec;
    script = secs;
    job.g = &fp->o.g;
    int rc = gx_harness_run(&job, &fp->o, &fp->plan, &door, NULL, &ho, err);
    struct gx_err derr = {0};
    int drc = drain(&derr);
    if (rc == GX_OK && drc != GX_OK)
        *err = derr;
    return rc != GX_OK ? rc : drc;
}
