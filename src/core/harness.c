#include "config.h"
#include "harness.h"
#include "measure.h"

#include "chunk.h"
#include "calibrate.h"
#include "fault.h"
#include "gpu.h"
#include "gpu_lost.h"
#include "mem.h"
#include "output.h"
#include "pairs.h"
#include "path.h"
#include "pattern.h"
#include "sizes.h"
#include "watchdog.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

long gx_default_iters(size_t bytes)
{
    static const long by_class[GX_CLASS_COUNT] = {1000, 500, 200, 50, 20, 10};
    return by_class[gx_size_class(bytes)];
}

long gx_default_warmup(long iters)
{
    return iters / 10 > 2 ? iters / 10 : 2;
}

long gx_default_window(size_t bytes)
{
    /* At least 256 MiB in flight per iteration up to 64 messages: the per-iteration handshake
     * then costs under 1% of a large message's time, as the calibration's repeats do. */
    size_t w = 256 * GX_MIB / bytes;
    return w > 64 ? 64 : w < 1 ? 1 : (long)w;
}

/* Rank 0: merges the pair's two records into one result. */
static void merge(const struct gx_record *ra, const struct gx_record *rb, struct gx_result *res)
{
    const struct gx_record *worst = rb->state > ra->state ? rb : ra;
    res->state = (enum gx_state)worst->state;
    res->reason = worst->reason;
    res->stats = ra->stats;
    res->validated = ra->validated + rb->validated;
    res->valid = ra->valid && rb->valid;
    const struct gx_record *bad = !ra->valid ? ra : rb;
    res->bad_offset = res->valid ? -1 : bad->bad_offset;
    res->bad_iter = res->valid ? -1 : (long)bad->bad_iter;
}

struct gx_collect {
    struct gx_record *recs;    /* rank 0: one per rank */
    double *samples;           /* rank 0 with --samples: one iteration set per rank */
    int *counts, *displs;
};

/* Every rank's record to rank 0, which reports one result per pair of the round. */
static int collect(struct gx_bench *b, const struct gx_axes *ax, const struct gx_round *round,
                   struct gx_record *mine, struct gx_collect *c, struct gx_report *rep,
                   struct gx_output *out, struct gx_harness_out *ho, struct gx_err *err)
{
    const struct gx_job *job = b->job;
    int mpirc = MPI_Gather(mine, (int)sizeof *mine, MPI_BYTE, c->recs, (int)sizeof *mine,
                           MPI_BYTE, 0, job->comm);
    if (mpirc != MPI_SUCCESS) {
        /* Rank 0 survived a rank that did not answer: what was gathered so far stands. */
        gx_fail_mpi(err, mpirc, "MPI_Gather", __FILE__, __LINE__);
        err->rc = GX_EINCOMPLETE;
        return gx_wrap(err, "gathering the results of %zu bytes (a rank died?)", ax->size);
    }
    if (job->g->samples) {
        int n = mine->state == GX_STATE_OK && b->pair && b->ep.initiator ? (int)ax->iters : 0;
        GX_MPI_TRY(err, MPI_Gather(&n, 1, MPI_INT, c->counts, 1, MPI_INT, 0, job->comm));
        if (job->rank == 0) {
            long total = 0;
            for (int r = 0; r < job->size; r++) {
                c->displs[r] = (int)total;
                total += c->counts[r];
            }
            double *s = realloc(c->samples, (size_t)(total ? total : 1) * sizeof *s);
            if (!s)
                return gx_fail(err, GX_ERUNTIME, "out of host memory for samples");
            c->samples = s;
        }
        GX_MPI_TRY(err, MPI_Gatherv(b->samples, n, MPI_DOUBLE, c->samples, c->counts, c->displs,
                                    MPI_DOUBLE, 0, job->comm));
    }
    if (job->rank != 0)
        return GX_OK;
    const struct gx_path_entry *pe = &gx_paths[b->path];
    for (int i = 0; i < round->npairs; i++) {
        const struct gx_pair *p = &round->pairs[i];
        struct gx_result res = {
            .run_name = b->run->name,
            .path = pe->name,
            .src_mem = gx_mem_name(b->ep.src_kind),
            .dst_mem = gx_mem_name(b->ep.dst_kind),
            .pattern = gx_pattern_table[ax->pattern]->name,
            .unit = gx_pattern_table[ax->pattern]->unit,
            .a = p->a,
            .b = p->b,
            .same_node = job->node_of[p->a] == job->node_of[p->b],
            .size = ax->size,
            .chunk = ax->chunk,
            .depth = ax->depth,
            .iters = ax->iters,
            .warmup = ax->warmup,
            .window = gx_pattern_table[ax->pattern]->uses_window ? ax->window : 1,
        };
        merge(&c->recs[p->a], &c->recs[p->b], &res);
        if (pe->ops->stages[0] && res.state == GX_STATE_OK) {
            res.stage_names = pe->ops->stages;
            memcpy(res.stage_us[0], c->recs[p->a].stage_us, sizeof res.stage_us[0]);
            memcpy(res.stage_us[1], c->recs[p->b].stage_us, sizeof res.stage_us[1]);
        }
        res.gpu_timed = c->recs[p->a].gpu_timed;
        if (c->recs[p->a].chunk) { /* set by --chunk auto only */
            res.chunk = (size_t)c->recs[p->a].chunk;
            res.depth = c->recs[p->a].depth;
            res.chunk_auto = 1;
            res.cands = c->recs[p->a].cand;
            res.ncands = c->recs[p->a].ncand;
        }
        char ceiling_what[256];
        gx_ceiling_apply(b->run->calibrate ? b->ceilings : NULL, pe->ops, &res, ceiling_what,
                         sizeof ceiling_what);
        if (job->g->samples && c->counts[p->a]) {
            res.samples = c->samples + c->displs[p->a];
            res.nsamples = (size_t)c->counts[p->a];
        }
        ho->results++;
        ho->skipped += res.state == GX_STATE_SKIPPED;
        ho->failed += res.state == GX_STATE_FAILED;
        if (res.validated && !res.valid) {
            ho->validation_failed = 1;
            fprintf(stderr, "gpuxfer: data validation failed: run '%s' path %s pattern %s size "
                    "%zu pair %d->%d: first bad byte at offset %lld (validation iteration %ld)\n",
                    res.run_name && res.run_name[0] ? res.run_name : "-", res.path, res.pattern,
                    res.size, res.a, res.b, res.bad_offset, res.bad_iter);
        }
        GX_TRY(gx_report_add(rep, &res, err));
        gx_output_result(out, &res);
    }
    return GX_OK;
}

static long pick(long given, long dflt)
{
    return given > 0 ? given : dflt;
}

/* A rank that got SIGINT/SIGTERM, or whose GPU context a sticky CUDA error made unusable, said
 * so in its record: rank 0 tells every rank to stop here, so that the report is written and MPI
 * finalized as in any other run. */
static int stop_if_signalled(const struct gx_job *job, const struct gx_collect *c,
                             struct gx_harness_out *ho, struct gx_err *err)
{
    struct {
        int32_t signal, rank, lost_rank;
        char lost_why[sizeof c->recs->reason];
    } stop = {0, -1, -1, ""};
    if (job->rank == 0)
        for (int r = 0; r < job->size; r++) {
            if (c->recs[r].signal && !stop.signal) {
                stop.signal = c->recs[r].signal;
                stop.rank = r;
            }
            if (c->recs[r].gpu_lost && stop.lost_rank < 0) {
                stop.lost_rank = r;
                memcpy(stop.lost_why, c->recs[r].reason, sizeof stop.lost_why);
            }
        }
    GX_MPI_TRY(err, MPI_Bcast(&stop, (int)sizeof stop, MPI_BYTE, 0, job->comm));
    if (!stop.signal && stop.lost_rank < 0)
        return GX_OK;
    ho->stopped_together = 1;
    if (stop.signal)
        return gx_fail(err, GX_EINTERRUPTED, "interrupted by %s on rank %d",
                       stop.signal == SIGINT    ? "SIGINT"
                       : stop.signal == SIGTERM ? "SIGTERM"
                                                : "a signal",
                       stop.rank);
    ho->gpu_lost_rank = stop.lost_rank;
    stop.lost_why[sizeof stop.lost_why - 1] = '\0';
    return gx_fail(err, GX_ERUNTIME, "rank %d's GPU context is unusable, every rank stopped: "
                   "%s", stop.lost_rank, stop.lost_why);
}

/* Tells the watchdog what is measured next, by whom, and for how long at most. */
static void arm(const struct gx_bench *b, const struct gx_round *round, const struct gx_axes *ax)
{
    char what[512], chunk[64] = "";
    int used;
    int automatic = b->run->chunk_auto && (b->ep.ops->flags & GX_PATH_CHUNKED);
    if (ax->chunk)
        snprintf(chunk, sizeof chunk, " chunk %zu depth %d", ax->chunk, ax->depth);
    else if (automatic)
        snprintf(chunk, sizeof chunk, " chunk auto");
    used = snprintf(what, sizeof what, "run '%s' path %s pattern %s size %zu%s pairs ",
                    b->run->name[0] ? b->run->name : "-", gx_paths[b->path].name,
                    gx_pattern_table[ax->pattern]->name, ax->size, chunk);
    int ranks[64], n = 0;
    for (int i = 0; i < round->npairs; i++) {
        const struct gx_pair *p = &round->pairs[i];
        if (used > 0 && (size_t)used + 24 < sizeof what)
            used += snprintf(what + used, sizeof what - (size_t)used, "%s%d:%d", i ? "," : "",
                             p->a, p->b);
        if (n + 2 <= (int)GX_ARRAY_LEN(ranks)) {
            ranks[n++] = p->a;
            ranks[n++] = p->b;
        }
    }
    double t = b->job->g->timeout > 0
                   ? (double)b->job->g->timeout
                   : gx_default_timeout(ax->size, ax->iters + gx_auto_extra_iters(ax, automatic), ax->warmup,
                                        ax->window);
    gx_watchdog_arm(what, ranks, n, t);
}

/* Measures every pattern x size (x chunk x depth) of one (run, path, round). */
static int bench_round(struct gx_bench *b, const struct gx_round *round, struct gx_collect *c,
                       struct gx_report *rep, struct gx_output *out, struct gx_harness_out *ho,
                       struct gx_err *err)
{
    const struct gx_run_opts *run = b->run;
    int chunked = (b->ep.ops->flags & GX_PATH_CHUNKED) != 0;
    int nchunks = chunked ? run->nchunks : 1, ndepths = chunked ? run->ndepths : 1;
    if (b->pair) {
        /* The largest size first, once: no reallocation (and no re-export of IPC handles)
         * between sizes. If it does not fit, buffers grow size by size and the sizes that do
         * not fit are skipped with the reason. */
        size_t largest = 0;
        for (size_t si = 0; si < run->sizes.n; si++)
            largest = run->sizes.v[si] > largest ? run->sizes.v[si] : largest;
        struct gx_err ignored = {0};
        (void)gx_ensure_capacity(&b->ep, largest, &ignored); /* agreed within the pair */
    }
    for (int pi = 0; pi < run->npatterns; pi++)
        for (size_t si = 0; si < run->sizes.n; si++)
            for (int ci = 0; ci < nchunks; ci++)
                for (int di = 0; di < ndepths; di++) {
                    struct gx_axes ax = {.pattern = run->patterns[pi], .size = run->sizes.v[si]};
                    int automatic = chunked && run->chunk_auto;
                    ax.chunk = chunked && !automatic ? run->chunks[ci] : 0;
                    ax.depth = chunked && !automatic ? run->depths[di] : 0;
                    if (automatic && di > 0)
                        break; /* the depth list is one of auto's axes */
                    ax.iters = pick(run->iters, gx_default_iters(ax.size));
                    ax.warmup = run->warmup >= 0 ? run->warmup : gx_default_warmup(ax.iters);
                    ax.window = pick(run->window, gx_default_window(ax.size));
                    gx_output_progress(out, ax.size, gx_paths[b->path].name,
                                       gx_pattern_table[ax.pattern]->name);
                    struct gx_record rec = {.state = GX_STATE_IDLE, .valid = 1, .bad_offset = -1};
                    arm(b, round, &ax);
                    if (b->pair) {
                        struct gx_err merr = {0};
                        int rc = automatic ? gx_measure_auto(b, &ax, &rec, &merr)
                                           : gx_measure(b, &ax, &rec, &merr);
                        if (rc == GX_ESKIP || rc == GX_ERUNTIME) {
                            /* This size cannot run here (e.g. out of memory): say why, go on. */
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
                    rec.signal = gx_watchdog_take_signal();
                    if (gx_gpu_lost_why()[0]) { /* nothing measured on it can be trusted */
                        rec.gpu_lost = 1;
                        rec.state = GX_STATE_FAILED;
                        snprintf(rec.reason, sizeof rec.reason, "%.231s", gx_gpu_lost_why());
                    }
                    int rc = collect(b, &ax, round, &rec, c, rep, out, ho, err);
                    gx_fault_moment(b->job->rank, GX_AT_COLLECTED, ax.size);
                    if (rc == GX_OK)
                        rc = stop_if_signalled(b->job, c, ho, err);
                    gx_watchdog_disarm();
                    GX_TRY(rc);
                }
    return GX_OK;
}

/* Rank 0 records a path that no pair of the round could run. */
static void report_skip(const struct gx_bench *b, const struct gx_round *round,
                        const char *reason, struct gx_report *rep, struct gx_output *out,
                        struct gx_harness_out *ho)
{
    if (b->job->rank != 0 || b->rotation > 1)
        return;
    for (int i = 0; i < round->npairs; i++)
        gx_report_skip(rep, b->run->name, gx_paths[b->path].name, round->pairs[i].a,
                       round->pairs[i].b, reason);
    gx_output_skip(out, gx_paths[b->path].name, reason);
    ho->skipped++;
}

static int bench_path(struct gx_bench *b, const struct gx_pairs *pairs, struct gx_collect *c,
                      struct gx_report *rep, struct gx_output *out, struct gx_harness_out *ho,
                      struct gx_err *err)
{
    const struct gx_job *job = b->job;
    const struct gx_path_entry *pe = &gx_paths[b->path];
    const struct gx_run_opts *run = b->run;
    for (int r = 0; r < pairs->nrounds; r++) {
        const struct gx_round *round = &pairs->rounds[r];
        memset(&b->ep, 0, sizeof b->ep);
        b->pair = gx_round_find(round, job->rank);
        struct gx_ep *ep = &b->ep;
        ep->job = job;
        ep->ops = pe->ops;
        ep->src_kind = run->mem_src != GX_MEM_DEFAULT ? run->mem_src : pe->ops->default_src;
        ep->dst_kind = run->mem_dst != GX_MEM_DEFAULT ? run->mem_dst : pe->ops->default_dst;
        if (b->pair) {
            ep->peer = b->pair->a == job->rank ? b->pair->b : b->pair->a;
            ep->initiator = b->pair->a == job->rank;
            ep->same_node = job->node_of[b->pair->a] == job->node_of[b->pair->b];
        }
        /* filter(): a path this pair cannot use is skipped with the reason, on every rank. */
        int rc = GX_OK;
        struct gx_err why = {0};
        if (b->pair) {
            rc = pe->ops->flags & GX_PATH_NEEDS_GPU && gx_gpu_absent_why()[0]
                     ? gx_fail(&why, GX_ESKIP, "%s", gx_gpu_absent_why())
                     : GX_OK;
            if (rc == GX_OK)
                rc = gx_mem_usable(ep->src_kind, &why);
            if (rc == GX_OK)
                rc = gx_mem_usable(ep->dst_kind, &why);
            if (rc == GX_OK && pe->ops->filter)
                rc = pe->ops->filter(ep, &why);
        }
        rc = gx_agree(job->comm, rc, &why);
        if (rc == GX_ESKIP) {
            report_skip(b, round, why.msg, rep, out, ho);
            continue;
        }
        if (rc != GX_OK) {
            *err = why;
            return rc;
        }
        rc = bench_round(b, round, c, rep, out, ho, err);
        if (b->pair && ep->priv)
            ep->ops->close(ep);
        gx_free_buffers(ep);
        GX_TRY(rc);
    }
    return GX_OK;
}

/* Paths with job-wide state (setup hook) are set up once, collectively, before measuring;
 * a path whose setup fails is skipped everywhere with the reason. */
#define GX_MAX_PATHS 32
static char path_setup_failed[GX_MAX_PATHS][sizeof(((struct gx_err *)0)->msg)];
static int path_is_set_up[GX_MAX_PATHS];

static int path_used(const struct gx_options *o, int path)
{
    for (int r = 0; r < o->nruns; r++)
        for (int p = 0; p < o->runs[r].npaths; p++)
            if (o->runs[r].paths[p] == path)
                return 1;
    return 0;
}

static int setup_paths(const struct gx_job *job, const struct gx_options *o, struct gx_err *err)
{
    for (int p = 0; p < gx_path_count && p < GX_MAX_PATHS; p++) {
        const struct gx_path_ops *ops = gx_paths[p].ops;
        path_setup_failed[p][0] = '\0';
        if (!ops || !ops->setup || !path_used(o, p))
            continue;
        struct gx_err why = {0};
        int rc = gx_agree(job->comm, ops->setup(job, &why), &why);
        path_is_set_up[p] = 1; /* teardown copes with partial setups */
        if (rc == GX_ESKIP)
            snprintf(path_setup_failed[p], sizeof path_setup_failed[p], "%s", why.msg);
        else if (rc != GX_OK) {
            *err = why;
            return rc;
        }
    }
    return GX_OK;
}

static void teardown_paths(void)
{
    for (int p = 0; p < gx_path_count && p < GX_MAX_PATHS; p++)
        if (path_is_set_up[p] && gx_paths[p].ops->teardown) {
            gx_paths[p].ops->teardown();
            path_is_set_up[p] = 0;
        }
}

/* One pass over every run of the options: each path, pattern, size and pair once. */
static int rotate(struct gx_bench *b, const struct gx_options *o, struct gx_collect *c,
                  struct gx_report *rep, struct gx_output *out, struct gx_harness_out *ho,
                  struct gx_err *err)
{
    const struct gx_job *job = b->job;
    int rc = GX_OK;
    for (int r = 0; r < o->nruns && rc == GX_OK; r++) {
        const struct gx_run_opts *run = &o->runs[r];
        struct gx_pairs pairs;
        if ((rc = gx_pairs_resolve(run->pairs, job->size, &pairs, err)) != GX_OK)
            break;
        b->run = run;
        for (int p = 0; p < run->npaths && rc == GX_OK; p++) {
            b->path = run->paths[p];
            const char *absent = !gx_paths[b->path].ops ? gx_paths[b->path].absent_why
                                                       : path_setup_failed[b->path];
            if (absent && absent[0]) {
                if (job->rank == 0 && b->rotation == 1) {
                    gx_report_skip(rep, run->name, gx_paths[b->path].name, -1, -1, absent);
                    gx_output_skip(out, gx_paths[b->path].name, absent);
                }
                ho->skipped += b->rotation == 1;
                continue;
            }
            rc = bench_path(b, &pairs, c, rep, out, ho, err);
        }
        gx_pairs_free(&pairs);
    }
    return rc;
}

/* --soak: rank 0 decides after each pass whether another one starts, and tells every rank. */
static int soak_goes_on(const struct gx_job *job, const struct gx_options *o, double t0,
                        int *more, struct gx_err *err)
{
    int go = job->rank == 0 && MPI_Wtime() - t0 < (double)o->g.soak;
    GX_MPI_TRY(err, MPI_Bcast(&go, 1, MPI_INT, 0, job->comm));
    *more = go;
    return GX_OK;
}

int gx_harness_run(const struct gx_job *job, const struct gx_options *o, struct gx_report *rep,
                   struct gx_harness_out *ho, struct gx_err *err)
{
    struct gx_collect c = {0};
    struct gx_output out;
    int rc = GX_OK;
    memset(ho, 0, sizeof *ho);
    if (job->rank == 0) {
        c.recs = calloc((size_t)job->size, sizeof *c.recs);
        c.counts = calloc((size_t)job->size, sizeof *c.counts);
        c.displs = calloc((size_t)job->size, sizeof *c.displs);
        if (!c.recs || !c.counts || !c.displs)
            rc = gx_fail(err, GX_ERUNTIME, "out of host memory for %d ranks' records", job->size);
    }
    rc = gx_agree(job->comm, rc, err);
    gx_output_init(&out, job, o);
    /* The ceilings first, on a quiet machine: before any path sets up job-wide state. */
    struct gx_ceilings *ceilings = NULL;
    if (rc == GX_OK)
        rc = gx_calibrate(job, o, rep, &ceilings, err);
    if (rc == GX_OK)
        rc = setup_paths(job, o, err);
    struct gx_bench b = {.job = job, .ceilings = ceilings};
    double t0 = MPI_Wtime();
    ho->gpu_lost_rank = -1;
    for (b.rotation = 1; rc == GX_OK; b.rotation++) {
        /* Later passes stream their results to the .jsonl only: rank 0's memory stays flat. */
        if (job->rank == 0 && o->g.soak > 0)
            gx_report_rotation(rep, b.rotation);
        gx_output_rotation(&out, b.rotation);
        rc = rotate(&b, o, &c, rep, &out, ho, err);
        if (rc != GX_OK || o->g.soak <= 0)
            break;
        ho->rotations = b.rotation;
        ho->soak_s = MPI_Wtime() - t0;
        if (job->rank == 0)
            gx_report_soak(rep, o->g.soak, ho->soak_s, ho->rotations);
        int more = 0;
        if ((rc = soak_goes_on(job, o, t0, &more, err)) != GX_OK || !more)
            break;
    }
    if (o->g.soak > 0)
        ho->soak_s = MPI_Wtime() - t0; /* also when a pass was cut short */
    else if (rc == GX_OK)
        ho->rotations = 1;
    gx_output_done(&out);
    teardown_paths();
    gx_ceilings_free(ceilings);
    free(ceilings);
    free(b.samples);
    free(b.sorted);
    free(c.recs);
    free(c.samples);
    free(c.counts);
    free(c.displs);
    return rc;
}
