/* --dry-run's view of this job: what its filters will skip, and the paces it measures. */
#include "config.h"
#include "dry_run.h"

#include "coll.h"
#include "gpu.h"
#include "harness.h"
#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What the run's filters will skip, with their words. Collective. */
static int mark_skips(const struct gx_job *job, const struct gx_options *opts,
                      struct gx_mplan *plan, struct gx_err *err)
{
    if (!gx_mplan_uses_gpu(plan)) /* no CUDA for a plan of host memory */
        return GX_OK;
    int mine = gx_gpu_visible(&opts->g, 1);
    int *has = malloc((size_t)job->size * sizeof *has);
    if (!has)
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    int rc = MPI_Allgather(&mine, 1, MPI_INT, has, 1, MPI_INT, job->comm);
    if (rc != MPI_SUCCESS) {
        free(has);
        GX_MPI_TRY(err, rc);
    }
    static char no_gpu[256], not_aware[600];
    int first = 0;
    while (first < job->size && has[first])
        first++;
    if (first == 0)
        snprintf(no_gpu, sizeof no_gpu, "%s", gx_gpu_none_why(&opts->g));
    else if (first < job->size)
        snprintf(no_gpu, sizeof no_gpu, "no GPU on rank %d", first);
    if (first == 0 && gx_gpu_start_fails(&opts->g))
        plan->cuda_start = 0;
    const char *why;
    if (!gx_cuda_aware(&opts->g, &why)) /* path_mpi.c's filter, in its words */
        snprintf(not_aware, sizeof not_aware, "device buffers need a CUDA-aware MPI and this one "
                 "is not (%s); --assume-cuda-aware overrides", why);
    plan->skipped_steps +=
        gx_mplan_mark_unusable(plan, has, no_gpu, not_aware[0] ? not_aware : NULL);
    free(has);
    return GX_OK;
}

/* Samples of reps exchanges of bytes between ranks 0 and 1: a ping-pong (window 0), a window
 * of sends and an acknowledgement, or with both_ways a window each way at once, as the latency,
 * bw and bibw patterns move them. */
struct exchange {
    size_t bytes;
    int window, reps, samples, both_ways;
};

/* Both ranks send from the buffer's first bytes and receive into the next. */
static int both_ways(MPI_Comm c, int peer, const struct exchange *x, char *buf)
{
    MPI_Request req[2 * GX_PACE_WINDOW];
    int rc = MPI_SUCCESS, n = 0;
    for (int w = 0; w < x->window && rc == MPI_SUCCESS; w++) {
        rc = MPI_Irecv(buf + x->bytes, (int)x->bytes, MPI_BYTE, peer, 1, c, &req[n++]);
        if (rc == MPI_SUCCESS)
            rc = MPI_Isend(buf, (int)x->bytes, MPI_BYTE, peer, 1, c, &req[n++]);
    }
    return rc == MPI_SUCCESS ? MPI_Waitall(n, req, MPI_STATUSES_IGNORE) : rc;
}

static int exchange_sample(MPI_Comm c, int rank, const struct exchange *x, char *buf,
                           double *seconds)
{
    MPI_Request req[GX_PACE_WINDOW];
    char ack = 0;
    int peer = !rank, rc = MPI_SUCCESS;
    double t0 = MPI_Wtime();
    for (int r = 0; r < x->reps && rc == MPI_SUCCESS; r++) {
        if (x->both_ways) {
            rc = both_ways(c, peer, x, buf);
            continue;
        }
        if (!x->window) {
            rc = rank ? MPI_Recv(buf, (int)x->bytes, MPI_BYTE, peer, 0, c, MPI_STATUS_IGNORE)
                      : MPI_Send(buf, (int)x->bytes, MPI_BYTE, peer, 0, c);
            if (rc == MPI_SUCCESS)
                rc = rank ? MPI_Send(buf, (int)x->bytes, MPI_BYTE, peer, 0, c)
                          : MPI_Recv(buf, (int)x->bytes, MPI_BYTE, peer, 0, c,
                                     MPI_STATUS_IGNORE);
            continue;
        }
        for (int w = 0; w < x->window && rc == MPI_SUCCESS; w++)
            rc = rank ? MPI_Irecv(buf, (int)x->bytes, MPI_BYTE, peer, 1, c, &req[w])
                      : MPI_Isend(buf, (int)x->bytes, MPI_BYTE, peer, 1, c, &req[w]);
        if (rc == MPI_SUCCESS)
            rc = MPI_Waitall(x->window, req, MPI_STATUSES_IGNORE);
        if (rc == MPI_SUCCESS)
            rc = rank ? MPI_Send(&ack, 1, MPI_BYTE, peer, 2, c)
                      : MPI_Recv(&ack, 1, MPI_BYTE, peer, 2, c, MPI_STATUS_IGNORE);
    }
    *seconds = MPI_Wtime() - t0;
    return rc;
}

/* The seconds of one repetition (a round trip, a window and its acknowledgement, or a window
 * each way) at the machine's pace now, and the samples' spread as a cv. The samples' median: a
 * second of samples holds a busy machine's long deschedulings by chance, not at their rate, and
 * one of them made the mean a pace far below the run's. The spread from neighbouring samples'
 * differences (their median, over 0.954: a normal spread's): a shift of the machine's level
 * between two samples (a virtual machine's ranks moved to other cores) counts once, where it
 * widened the quartiles of all, and a step's stop rule, whose median it does not move, settles
 * as at the spread within each level. */
static int exchange_pace(MPI_Comm c, int rank, const struct exchange *x, char *buf,
                         double *seconds, double *cv)
{
    double t[GX_PACE_SAMPLES], d[GX_PACE_SAMPLES], spent;
    int rc = exchange_sample(c, rank, x, buf, &spent); /* a warm-up */
    for (int i = 0; i < x->samples && rc == MPI_SUCCESS; i++) {
        rc = exchange_sample(c, rank, x, buf, &spent);
        t[i] = spent / x->reps;
    }
    for (int i = 1; i < x->samples; i++)
        d[i - 1] = fabs(t[i] - t[i - 1]);
    qsort(t, (size_t)x->samples, sizeof t[0], gx_cmp_double);
    qsort(d, (size_t)x->samples - 1, sizeof d[0], gx_cmp_double);
    double median = t[x->samples / 2];
    *seconds = median;
    *cv = median > 0 ? d[(x->samples - 1) / 2] / 0.954 / median : 0;
    return rc;
}

/* What one pass over host memory moves, in bytes (0: it failed); how == GX_PASS_COPY: `copies`
 * copies of halves of `bytes` each way in turn, else the data check's pattern written or
 * compared, or a reduction's floats computed or compared. */
enum host_pass { GX_PASS_COPY, GX_PASS_FILL, GX_PASS_CHECK, GX_PASS_SUMS, GX_PASS_SUMS_CHECK };
static volatile size_t sums_wrong; /* read: the compare is not optimized away */

static double host_pass(char *buf, size_t bytes, enum host_pass how, int copies)
{
    const struct gx_mem_ops *mem = gx_mem_table[GX_MEM_PAGEABLE];
    struct gx_err err = {0};
    float *f = (float *)(void *)buf;
    size_t bad = 0;
    int ok = 0;
    switch (how) {
    case GX_PASS_COPY:
        for (int i = 0; i < copies; i++)
            memcpy(buf + (i % 2 ? 0 : bytes / 2), buf + (i % 2 ? bytes / 2 : 0), bytes / 2);
        return (double)copies * (double)(bytes / 2);
    case GX_PASS_FILL:
        return mem->fill(buf, bytes, 0, 1, &err) == GX_OK ? (double)bytes : 0;
    case GX_PASS_CHECK:
        return mem->check(buf, bytes, 0, 1, &ok, &bad, &err) == GX_OK ? (double)bytes : 0;
    case GX_PASS_SUMS:
        for (size_t k = 0; k < bytes / sizeof *f; k++)
            f[k] = gx_coll_value(0, 1, k);
        return (double)bytes;
    case GX_PASS_SUMS_CHECK:
        for (size_t k = 0; k < bytes / sizeof *f; k++)
            bad += f[k] != gx_coll_sum(2, 1, k);
        sums_wrong = bad;
        return (double)bytes;
    }
    return 0;
}

/* A pass's pace, the best of three: it waits on no other rank, and a slower one was
 * descheduled. The ceiling probes copy through shared memory themselves, beyond the caches or
 * within them as a probe's window copies one message again and again; a large step's data
 * check writes and compares beyond them. */
static double host_gbps(char *buf, size_t bytes, enum host_pass how, int copies)
{
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = MPI_Wtime();
        double moved = host_pass(buf, bytes, how, copies);
        double t = MPI_Wtime() - t0;
        if (moved <= 0)
            return 0;
        best = t > 0 && moved / t / 1e9 > best ? moved / t / 1e9 : best;
    }
    return best;
}

/* A buffer of kind set up as a visit's are: allocated and first written (its poison), the
 * median of three; 0 where it failed. */
static double setup_gbps(int kind, size_t bytes)
{
    const struct gx_mem_ops *mem = gx_mem_table[kind];
    double t[3];
    for (int rep = 0; rep < 3; rep++) {
        void *buf = NULL;
        struct gx_err err = {0};
        double t0 = MPI_Wtime();
        if (mem->alloc(bytes, &buf, &err) != GX_OK)
            return 0;
        int rc = mem->poison(buf, bytes, &err);
        mem->release(buf);
        t[rep] = MPI_Wtime() - t0;
        if (rc != GX_OK)
            return 0;
    }
    qsort(t, 3, sizeof t[0], gx_cmp_double);
    return t[1] > 0 ? (double)bytes / t[1] / 1e9 : 0;
}

/* Rank 0's: each kind of memory a group not skipped sets up (with CUDA started for a GPU's),
 * pinned memory too where its path stages through its own. */
static void measure_setup(struct gx_mplan *plan)
{
    double gbps[GX_MEM_COUNT] = {0};
    for (size_t g = 0; g < plan->ngroups; g++) {
        const struct gx_mgroup *gr = &plan->groups[g];
        const struct gx_path_ops *ops = gx_mgroup_ops(gr);
        int own = ops && ops->own_pinned;
        int kinds[3] = {gr->src_kind, gr->dst_kind, GX_MEM_PINNED};
        for (int k = 0; k < 2 + own && !gr->absent; k++) {
            struct gx_err why = {0};
            if (!gbps[kinds[k]] && gx_mem_usable(kinds[k], &why) == GX_OK)
                gbps[kinds[k]] = setup_gbps(kinds[k], GX_PACE_FAR);
        }
    }
    gx_mplan_setup_pace(plan, gbps);
}

/* Rank 0's and 1's: an MPI ping-pong of 8 B, a window of messages in the caches and one beyond
 * them, and each both ways at once (two copies share the memory's bandwidth), of host memory
 * (pageable, as the host path's). */
static int measure_pace(const struct gx_job *job, struct gx_measured_pace *m)
{
    static const struct exchange lat = {8, 0, 50, GX_PACE_SAMPLES, 0};
    static const struct exchange near = {GX_PACE_NEAR, GX_PACE_WINDOW, 1, GX_PACE_SAMPLES, 0};
    static const struct exchange far = {GX_PACE_FAR, 2, 1, GX_PACE_SAMPLES, 0};
    static const struct exchange both = {GX_PACE_FAR / 2, 2, 1, GX_PACE_FAR_SAMPLES, 1};
    static const struct exchange both_near = {GX_PACE_NEAR, GX_PACE_WINDOW, 1, GX_PACE_SAMPLES,
                                              1};
    char *buf = malloc(GX_PACE_FAR);
    if (!buf)
        return MPI_ERR_NO_MEM;
    memset(buf, 1, GX_PACE_FAR); /* its pages touched outside the timing */
    double tn = 0, tf = 0, tb = 0, tbn = 0, cv;
    int rc = exchange_pace(job->comm, job->rank, &lat, buf, &m->us, &m->cv_small);
    if (rc == MPI_SUCCESS)
        rc = exchange_pace(job->comm, job->rank, &near, buf, &tn, &m->cv_near);
    if (rc == MPI_SUCCESS)
        rc = exchange_pace(job->comm, job->rank, &far, buf, &tf, &m->cv_far);
    if (rc == MPI_SUCCESS)
        rc = exchange_pace(job->comm, job->rank, &both, buf, &tb, &cv);
    if (rc == MPI_SUCCESS)
        rc = exchange_pace(job->comm, job->rank, &both_near, buf, &tbn, &cv);
    if (rc == MPI_SUCCESS) {
        m->copy_gbps = host_gbps(buf, GX_PACE_FAR, GX_PASS_COPY, GX_PACE_COPIES);
        m->copy_gbps_near = host_gbps(buf, 2 * GX_PACE_NEAR, GX_PASS_COPY, GX_PACE_NEAR_COPIES);
        m->fill_gbps = host_gbps(buf, GX_PACE_FAR / 2, GX_PASS_FILL, 0);
        m->check_gbps = host_gbps(buf, GX_PACE_FAR / 2, GX_PASS_CHECK, 0);
        m->sum_fill_gbps = host_gbps(buf, GX_PACE_FAR / 2, GX_PASS_SUMS, 0);
        m->sum_check_gbps = host_gbps(buf, GX_PACE_FAR / 2, GX_PASS_SUMS_CHECK, 0);
    }
    free(buf);
    m->us = m->us / 2 * 1e6;
    m->gbps_near = tn > 0 ? (double)near.bytes * near.window / tn / 1e9 : 0;
    m->gbps_far = tf > 0 ? (double)far.bytes * far.window / tf / 1e9 : 0;
    m->gbps_both = tb > 0 ? (double)both.bytes * both.window / tb / 1e9 : 0;
    m->gbps_both_near = tbn > 0 ? (double)both_near.bytes * both_near.window / tbn / 1e9 : 0;
    m->near_s = tn;
    m->far_s = tf;
    m->bytes_near = near.bytes;
    m->bytes_far = far.bytes;
    m->bytes_both = both.bytes;
    return rc;
}

/* Host memory's groups at the pace measured between ranks 0 and 1: the nominal rates are
 * a quiet machine's, and a busy one's iterations vary too much to stop early. Collective. */
static int measure_host_pace(const struct gx_job *job, struct gx_mplan *plan, struct gx_err *err)
{
    struct gx_measured_pace m = {0};
    int mpirc = job->rank < 2 ? measure_pace(job, &m) : MPI_SUCCESS;
    int rc = mpirc == MPI_SUCCESS ? GX_OK
             : gx_fail_mpi(err, mpirc, "--dry-run's pace of host memory", __FILE__, __LINE__);
    GX_TRY(gx_agree(job->comm, rc, err));
    if (job->rank == 0)
        gx_mplan_host_pace(plan, &m);
    return GX_OK;
}

/* The pilot's results, rank 0's: each a point of its group's pace. */
struct pilot {
    const struct gx_options *o;
    struct gx_pilot_point pts[GX_PILOT_POINTS];
    size_t n;
};

static void pilot_pass(void *c, long p) { (void)c, (void)p; }
static void pilot_step(void *c, size_t s, const char *w, const char *p, int v, int n, double b)
{
    (void)c, (void)s, (void)w, (void)p, (void)v, (void)n, (void)b;
}
static void pilot_precision(void *c, double r, double b) { (void)c, (void)r, (void)b; }
static void pilot_skipped(void *c, long n) { (void)c, (void)n; }
static void pilot_skip(void *c, const char *r, const char *p, const struct gx_pair *pairs,
                       int n, const char *why)
{
    (void)c, (void)r, (void)p, (void)pairs, (void)n, (void)why;
}
static void pilot_round(void *c, int r, int n, int np) { (void)c, (void)r, (void)n, (void)np; }
static int pilot_round_end(void *c, struct gx_err *e) { (void)c, (void)e; return GX_OK; }
static int pilot_ceilings(void *c, const struct gx_ceilings *x, struct gx_err *e)
{
    (void)c, (void)x, (void)e;
    return GX_OK;
}
static void pilot_soak(void *c, long s, double r, long p) { (void)c, (void)s, (void)r, (void)p; }
static void pilot_end(void *c) { (void)c; }

/* A window's seconds from the result's median, by its pattern's own arithmetic (a sample is in
 * proportion to the seconds, or to their inverse), per message. */
static int pilot_result(void *ctx, const struct gx_result *res, struct gx_err *err)
{
    (void)err;
    struct pilot *pl = ctx;
    const struct gx_pattern_ops *pat = gx_pattern_table[res->pattern_kind];
    int run = 0;
    while (run < pl->o->nruns && strcmp(pl->o->runs[run].name, res->run_name) != 0)
        run++;
    double median = res->stats.median, window = res->window > 0 ? (double)res->window : 1;
    if (res->state != GX_STATE_OK || run == pl->o->nruns || median <= 0 ||
        pl->n == GX_PILOT_POINTS)
        return GX_OK;
    double k = pat->value(res->size, (int)window, 1.0, res->coll_ranks ? res->coll_ranks : 2);
    double secs = pat->lower_is_better ? median / k : k / median, weight = 0;
    /* A candidate is measured at the pilot's iterations after one warm-up (measure.c). */
    double iterating = (double)(res->iters + res->warmup) * secs;
    for (int c = 0; c < res->ncands; c++) {
        double m = res->cands[c].m.median;
        weight += m > 0 ? (pat->lower_is_better ? m / k : k / m) / secs : 0;
    }
    iterating += weight * secs * (double)(res->iters + 1);
    double beside = (res->elapsed_s - iterating) / (res->ncands + 1);
    pl->pts[pl->n++] = (struct gx_pilot_point){.run = run, .path = res->path_kind,
                                               .src_kind = res->src_kind,
                                               .dst_kind = res->dst_kind,
                                               .pattern = res->pattern_kind, .size = res->size,
                                               .chunk = res->chunk, .depth = res->depth,
                                               .msg_s = secs / window,
                                               .search_weight = weight,
                                               .measure_s = beside > 0 ? beside : 0,
                                               .tries = res->ncands};
    return GX_OK;
}

static const struct gx_sink_ops pilot_ops = {
    .pass = pilot_pass, .step = pilot_step, .precision = pilot_precision,
    .steps_skipped = pilot_skipped, .skip = pilot_skip, .round_begin = pilot_round,
    .result = pilot_result, .round_end = pilot_round_end, .ceilings_so_far = pilot_ceilings,
    .ceilings = pilot_ceilings, .soak = pilot_soak, .end = pilot_end};

/* The run's own runs at a few sizes, a few iterations each after the run's warm-up, no probes,
 * through the harness, on the GPUs the run would choose: the steps that need a GPU, and
 * collectives, at the pace measured. */
static int pilot(struct gx_job *job, const struct gx_options *opts, struct gx_mplan *plan,
                 struct gx_err *err)
{
    static struct gx_options o;
    o = *opts;
    o.dry_run = 0;
    o.g.budget = 0;
    o.g.soak = 0;
    o.g.vary.n = 0;
    o.g.vary.option = GX_VARY_NONE;
    for (int r = 0; r < o.nruns; r++) {
        o.runs[r].iters = GX_PILOT_ITERS;
        /* The run's own warm-up (a GPU path's lasts its settle_s): the pace of settled
         * iterations, as the run times them. */
        o.runs[r].ceilings = GX_CEILINGS_OFF;
        o.runs[r].nprobes = 0;
        int coll = 0;
        for (int i = 0; i < o.runs[r].npatterns; i++)
            coll |= gx_pattern_table[o.runs[r].patterns[i]]->coll != GX_COLL_NONE;
        gx_mplan_pilot_sizes(&o.runs[r].sizes, coll);
    }
    GX_TRY(job->topo || !gx_mplan_uses_gpu(plan) ? GX_OK : gx_gpu_init(job, &opts->g, err));
    struct gx_mplan pp = {0};
    GX_TRY(gx_mplan_make(&o, plan->layout, &pp, err));
    int rc = mark_skips(job, &o, &pp, err);
    gx_mplan_pilot_only(&pp);
    static struct pilot pl;
    pl = (struct pilot){.o = &o};
    struct gx_sink_door door = {&pilot_ops, &pl};
    struct gx_ceilings ceilings = {0};
    struct gx_harness_out ho;
    double t0 = MPI_Wtime();
    if (rc == GX_OK)
        rc = gx_harness_run(job, &o, &pp, &door, &ceilings, &ho, err);
    gx_ceilings_free(&ceilings);
    gx_mplan_free(&pp);
    if (rc == GX_OK && job->rank == 0) {
        gx_mplan_pilot_pace(plan, pl.pts, pl.n);
        plan->pilot_s = MPI_Wtime() - t0;
    }
    return rc;
}

int gx_dry_run_view(struct gx_job *job, const struct gx_options *opts, struct gx_mplan *plan,
                    struct gx_err *err)
{
    /* A layout other than this job's, or fake GPUs: another machine's plan, whose GPUs, MPI and
     * host memory are not this one's. */
    if (opts->assume_nodes || opts->g.fake_gpus[0])
        return GX_OK;
    GX_TRY(mark_skips(job, opts, plan, err));
    if (gx_mplan_needs_pilot(plan)) { /* where the filters left GPU steps, or collectives */
        GX_TRY(pilot(job, opts, plan, err));
        GX_TRY(mark_skips(job, opts, plan, err)); /* and the paths it could not set up */
    }
    if (job->rank == 0)
        measure_setup(plan);
    return job->size >= 2 && gx_mplan_has_host(plan) ? measure_host_pace(job, plan, err) : GX_OK;
}
