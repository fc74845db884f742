#include "config.h"
#include "measure.h"

#include "clock.h"
#include "coll_data.h"
#include "endpoint.h"
#include "fault.h"
#include "mem.h"
#include "pattern.h"
#include "probe.h"
#include "stop.h"
#include "tags.h"
#include "topo.h"
#include "watchdog.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The first wrong byte a step saw is the one its record keeps (an injected corruption only
 * where the CPU can address dst). */
static void record_bad(struct gx_record *rec, int ok, int64_t bad, int64_t iter)
{
    if (!ok && rec->valid) {
        rec->valid = 0;
        rec->bad_offset = bad;
        rec->bad_iter = iter;
    }
}

static int check_received(struct gx_ep *ep, size_t bytes, uint32_t iter, struct gx_record *rec,
                          struct gx_err *err)
{
    if (gx_mem_has(ep->dst_kind, GX_MEM_HOST_ADDRESSABLE))
        gx_fault_corrupt(ep->job->rank, bytes, iter, ep->dst, bytes);
    int ok = 0;
    size_t bad = 0;
    GX_TRY(gx_mem_table[ep->dst_kind]->check(ep->dst, bytes, (uint32_t)ep->peer, iter, &ok, &bad,
                                              err));
    rec->validated++;
    record_bad(rec, ok, (int64_t)bad, iter);
    return GX_OK;
}

/* The group learns the lowest member's first wrong byte, the leader's record keeps it. */
static int group_valid(struct gx_ep *ep, struct gx_record *rec, struct gx_err *err)
{
    int mine = rec->valid ? INT_MAX : ep->grank, first = INT_MAX;
    GX_MPI_TRY(err, MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, ep->comm));
    if (first == INT_MAX)
        return GX_OK;
    int64_t bad[2] = {rec->bad_offset, rec->bad_iter};
    GX_MPI_TRY(err, MPI_Bcast(bad, 2, MPI_INT64_T, first, ep->comm));
    record_bad(rec, 0, bad[0], bad[1]);
    return GX_OK;
}

static int check_collective(struct gx_ep *ep, const struct gx_pattern_ops *pat, size_t bytes,
                            uint32_t iter, struct gx_record *rec, struct gx_err *err)
{
    size_t n = gx_coll_bytes(pat->coll, ep->nranks, bytes);
    int ok = 1;
    size_t bad = 0;
    struct gx_coll_io io;
    gx_coll_io(ep, pat->coll, pat->in_place, n, &io);
    if (gx_mem_has(ep->dst_kind, GX_MEM_HOST_ADDRESSABLE))
        gx_fault_corrupt(ep->job->rank, bytes, iter, io.out, io.out_bytes);
    GX_TRY(gx_coll_check(ep, pat->coll, pat->in_place, n, iter, &ok, &bad, err));
    rec->validated++;
    record_bad(rec, ok, (int64_t)bad, iter);
    return GX_OK;
}

/* One collective of the iteration's data, then every member's output checked. */
static int validate_collective(struct gx_ep *ep, const struct gx_pattern_ops *pat, size_t bytes,
                               uint32_t iter, struct gx_record *rec, struct gx_err *err)
{
    size_t n = gx_coll_bytes(pat->coll, ep->nranks, bytes);
    GX_TRY(gx_coll_fill(ep, pat->coll, pat->in_place, n, iter, err));
    gx_watchdog_call();
    GX_TRY(ep->ops->collective(ep, pat->coll, pat->in_place, 1, n, err));
    GX_TRY(check_collective(ep, pat, bytes, iter, rec, err));
    return group_valid(ep, rec, err);
}

static int validate_direction(struct gx_ep *ep, int sender_is_me, size_t bytes, uint32_t iter,
                              struct gx_record *rec, struct gx_err *err)
{
    if (sender_is_me) {
        GX_TRY(gx_mem_table[ep->src_kind]->fill(ep->src, bytes, (uint32_t)ep->job->rank, iter,
                                                 err));
        ep->src_iter = iter;
        gx_watchdog_call();
        return ep->ops->xfer(ep, GX_DIR_SEND, 1, bytes, err);
    }
    GX_TRY(gx_mem_table[ep->dst_kind]->poison(ep->dst, bytes, err));
    gx_watchdog_call();
    GX_TRY(ep->ops->xfer(ep, GX_DIR_RECV, 1, bytes, err));
    return check_received(ep, bytes, iter, rec, err);
}

/* With work beside each transfer (fault, between, --validate all); < 0: warm-up. */
static int iterate_hooked(struct gx_bench *b, const struct gx_mstep *st,
                          const struct gx_pattern_ops *pat, int all, int probe, long from,
                          long to, struct gx_record *rec, struct gx_err *err)
{
    struct gx_ep *ep = &b->ep;
    int coll = pat->coll != GX_COLL_NONE;
    int fills = all && !coll && (ep->initiator || pat->both_ways);
    int checks = all && !coll && (!ep->initiator || pat->both_ways);
    for (long i = from; i < to; i++) {
        uint32_t iter = (uint32_t)(i + st->warmup + 1);
        gx_watchdog_progress(i + st->warmup, st->warmup + st->iters);
        if (i == 0)
            memset(ep->stage_s, 0, sizeof ep->stage_s); /* warm-up and validation not counted */
        if (i >= 0 && !probe)
            gx_fault_point(ep->job->rank, st->size, i);
        for (int m = 0; fills && m < ep->regions; m++)
            GX_TRY(gx_mem_table[ep->src_kind]->fill(gx_ep_src(ep, m), st->size,
                                                     (uint32_t)ep->job->rank, iter, err));
        if (fills)
            ep->src_iter = iter;
        if (all && coll)
            GX_TRY(gx_coll_fill(ep, pat->coll, pat->in_place,
                                gx_coll_bytes(pat->coll, ep->nranks, st->size), iter, err));
        if (ep->ops->between)
            GX_TRY(ep->ops->between(ep, err));
        double secs;
        gx_watchdog_call();
        GX_TRY(pat->iterate(ep, st->size, (int)b->window, &secs, err));
        if (checks)
            GX_TRY(check_received(ep, st->size, iter, rec, err));
        /* Out of place, a window's collectives all make the same output; in place, each but
         * the first runs on the last one's output. */
        if (all && coll && (b->window == 1 || !pat->in_place))
            GX_TRY(check_collective(ep, pat, st->size, iter, rec, err));
        if (i >= 0)
            b->samples[i] = pat->value(st->size, (int)b->window, secs, ep->nranks);
    }
    return GX_OK;
}

/* The transfer and the clock alone: seconds become values after the span. */
#define BARE_SPAN 64
static int iterate_bare(struct gx_bench *b, const struct gx_mstep *st,
                        const struct gx_pattern_ops *pat, long from, long to,
                        struct gx_err *err)
{
    struct gx_ep *ep = &b->ep;
    const int window = (int)b->window; /* changed only between spans (stop.h) */
    const long total = st->warmup + st->iters;
    double secs;
    for (long i = from; i < to && i < 0; i++) {
        if ((i + st->warmup) % BARE_SPAN == 0)
            gx_watchdog_progress(i + st->warmup, total);
        gx_watchdog_call();
        GX_TRY(pat->iterate(ep, st->size, window, &secs, err));
    }
    long first = from > 0 ? from : 0;
    if (first == 0 && to > 0)
        memset(ep->stage_s, 0, sizeof ep->stage_s); /* warm-up and validation not counted */
    for (long span = first; span < to; span += BARE_SPAN) {
        gx_watchdog_progress(st->warmup + span, total);
        long end = span + BARE_SPAN < to ? span + BARE_SPAN : to;
        for (long i = span; i < end; i++) {
            gx_watchdog_call();
            GX_TRY(pat->iterate(ep, st->size, window, &b->samples[i], err));
        }
    }
    for (long i = first; i < to; i++)
        b->samples[i] = pat->value(st->size, window, b->samples[i], ep->nranks);
    return GX_OK;
}

/* GPUXFER_FAULT=slow and twospeed, for gpuxfer-report compare and the estimators' tests; a sleep
 * would not reach the GPUs' clock. */
static const struct gx_path_ops *slowed_real;

static int slowed_xfer(struct gx_ep *ep, enum gx_dir dir, int count, size_t bytes,
                       struct gx_err *err)
{
    gx_fault_slow_delay();
    if (dir == GX_DIR_SEND)
        gx_fault_slow_settle(); /* a bandwidth iteration's: inside the next one's clock */
    double t0 = gx_mono_s();
    int rc = slowed_real->xfer(ep, dir, count, bytes, err);
    if (dir == GX_DIR_SEND)
        gx_fault_slow_owe(gx_mono_s() - t0);
    else
        gx_fault_slow_after(gx_mono_s() - t0);
    return rc;
}

/* A member late to the collective slows its group, as a slow node would. */
static int slowed_collective(struct gx_ep *ep, enum gx_coll c, int in_place, int count,
                             size_t bytes, struct gx_err *err)
{
    gx_fault_slow_delay();
    gx_fault_coll_wait(gx_fault_coll_late());
    double t0 = gx_mono_s();
    int rc = slowed_real->collective(ep, c, in_place, count, bytes, err);
    gx_fault_coll_took(gx_mono_s() - t0);
    return rc;
}

static const struct gx_path_ops *slowed_ops(const struct gx_path_ops *real)
{
    static struct gx_path_ops slowed;
    slowed = *real;
    slowed.xfer = slowed_xfer;
    if (real->collective)
        slowed.collective = slowed_collective;
    slowed.roundtrip = NULL;
    slowed_real = real;
    return &slowed;
}

/* *n gets the timed iterations run. */
static int timed_iterations(struct gx_bench *b, const struct gx_mstep *st,
                            const struct gx_pattern_ops *pat, int bare, int all, int probe,
                            struct gx_record *rec, long *n, struct gx_err *err)
{
    long ask_at = b->share_s > 0 ? gx_mstep_next_timed_ask(st, -st->warmup - 1)
                                 : gx_mstep_first_ask(st);
    b->ask_n = -st->warmup;
    b->ask_t = b->iter_t0 = gx_wtime();
    b->window = st->window;
    *n = st->iters;
    rec->ended = GX_ENDED_ITERATIONS;
    for (long i = -st->warmup; i < *n;) {
        long to = ask_at < *n ? ask_at : *n;
        GX_TRY(bare ? iterate_bare(b, st, pat, i, to, err)
                    : iterate_hooked(b, st, pat, all, probe, i, to, rec, err));
        i = to;
        if (i == ask_at) {
            GX_TRY(gx_stop_ask(b, st, i, &rec->ended, &ask_at, err));
            if (rec->ended != GX_ENDED_ITERATIONS) {
                i = i > 0 ? i : 0;
                *n = i > 0 ? i : 1;
            }
        }
    }
    return GX_OK;
}

int gx_bench_samples_room(struct gx_bench *b, size_t n)
{
    if (n <= b->nsamples_cap)
        return 0;
    double *s = realloc(b->samples, n * sizeof *s);
    if (s)
        b->samples = s;
    double *t = s ? realloc(b->sorted, n * sizeof *t) : NULL;
    if (!t)
        return -1;
    b->sorted = t;
    b->nsamples_cap = n;
    return 0;
}

static int measure_prepared(struct gx_bench *b, const struct gx_mstep *st,
                            struct gx_record *rec, struct gx_err *err)
{
    struct gx_ep *ep = &b->ep;
    const struct gx_pattern_ops *pat = gx_pattern_table[st->pattern];
    GX_TRY(gx_inject_gpu_fault(ep, st->size, GX_FAULT_CUDA_STICKY, err));
    if (gx_bench_samples_room(b, (size_t)st->iters) != 0)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for %ld samples", st->iters);
    /* Every visit: it also writes the pattern a path's own checks compare with (p2p's). */
    int probe = (ep->ops->flags & GX_PATH_PROBE) != 0;
    if (!probe && pat->coll != GX_COLL_NONE) {
        GX_TRY(validate_collective(ep, pat, st->size, 0, rec, err));
    } else if (!probe) {
        GX_TRY(validate_direction(ep, ep->initiator, st->size, 0, rec, err));
        if (pat->both_ways)
            GX_TRY(validate_direction(ep, !ep->initiator, st->size, 0, rec, err));
    }
    int all = b->run->validate == GX_VALIDATE_ALL && !probe;
    ep->gpu_timed = 0; /* the latency pattern sets it */
    /* As osu_latency: per-iteration work is a visible part of a small message's latency. */
    int bare = !all && !ep->ops->between &&
               (probe || !gx_fault_point_due(ep->job->rank, st->size));
    const struct gx_path_ops *real = ep->ops;
    /* A platform's speed on every rank is waited out by the pairs' initiators alone: a peer's
     * wait would be inside the initiator's transfer, and each side's fraction of the other's
     * compound. */
    if (!probe && gx_fault_slows(ep->job->rank, st->size) &&
        (ep->initiator || !gx_fault_get()->any_rank))
        ep->ops = slowed_ops(real);
    long n;
    int rc = timed_iterations(b, st, pat, bare, all, probe, rec, &n, err);
    ep->ops = real;
    gx_fault_slow_forget();
    GX_TRY(rc);
    if (all && pat->coll != GX_COLL_NONE)
        GX_TRY(group_valid(ep, rec, err));
    gx_watchdog_progress(st->warmup + n, st->warmup + n);
    /* Sorted apart: samples in order show drift, which a distribution hides. */
    memcpy(b->sorted, b->samples, (size_t)n * sizeof *b->sorted);
    gx_stats_compute(b->sorted, (size_t)n, &rec->stats);
    rec->gpu_timed = ep->gpu_timed;
    rec->window = (int32_t)b->window;
    rec->share_s = b->share_s;
    snprintf(rec->via, sizeof rec->via, "%s", ep->via ? ep->via : "");
    for (int s = 0; s < GX_MAX_STAGES; s++)
        rec->stage_us[s] = ep->stage_s[s] / (double)n * 1e6;
    return GX_OK;
}

/* On one GPU, one buffer pair (as osu_bw's) stays in L2, beyond HBM: the L2's bytes, or 0. */
static int32_t l2_resident(const struct gx_ep *ep, const struct gx_mstep *st)
{
    const struct gx_topo_rank *t = ep->job->topo;
    int same_gpu = gx_topo_shares_gpu(t, ep->peer);
    int device = gx_mem_has(ep->src_kind, GX_MEM_GPU_ALLOCATED) &&
                 gx_mem_has(ep->dst_kind, GX_MEM_GPU_ALLOCATED);
    int reused = ep->regions <= 1 && st->window > 1;
    return same_gpu && device && reused && t->l2 > 0 && 2.0 * (double)st->size <= t->l2
               ? (int32_t)t->l2
               : 0;
}

static int measure(struct gx_bench *b, const struct gx_mstep *st, struct gx_record *rec,
               struct gx_err *err)
{
    struct gx_ep *ep = &b->ep;
    size_t need = st->size;
    ep->region = 0;
    ep->regions = 1;
    if (ep->ops->flags & GX_PATH_MESSAGE_REGIONS) {
        size_t align = gx_mem_has(ep->src_kind, GX_MEM_MIGRATES) ? GX_MANAGED_BLOCK
                                                                  : GX_REGION_ALIGN;
        ep->region = (st->size + align - 1) / align * align;
        ep->regions = st->window > 1 ? (int)st->window : 1;
        need = ep->region * (size_t)ep->regions;
    }
    GX_TRY(gx_ensure_capacity(ep, need, err));
    rec->l2_resident = l2_resident(ep, st);
    rec->same_gpu = ep->job->topo && gx_topo_shares_gpu(ep->job->topo, ep->peer);
    ep->chunk = st->chunk;
    ep->depth = st->depth;
    int rc = GX_OK;
    if (ep->ops->prepare)
        rc = gx_pair_agree(ep, ep->ops->prepare(ep, st->size, err), err);
    if (rc == GX_OK)
        rc = measure_prepared(b, st, rec, err);
    if (ep->ops->finish) {
        struct gx_err ferr = {0};
        int frc = ep->ops->finish(ep, &ferr);
        if (rc == GX_OK && frc != GX_OK) {
            *err = ferr;
            rc = frc;
        }
    }
    return rc;
}

#define GX_SEARCH_SHARE 0.5
/* A share spent is still a share: the stop rule then ends the step at its fewest. */
#define GX_SHARE_LEAST_S 1e-3

/* The initiator's median goes to its peer, so that both take the same next step. */
struct cand_ctx {
    struct gx_bench *b;
    const struct gx_mstep *s;
    struct gx_record *rec;
};

static int measure_candidate(int i, void *ctx, struct gx_cand_result *m, struct gx_err *err)
{
    struct cand_ctx *c = ctx;
    struct gx_ep *ep = &c->b->ep;
    struct gx_mstep q = *c->s;
    q.chunk = c->s->cand_chunk[i];
    q.depth = c->s->cand_depth[i];
    q.iters = q.min_iters = q.floor_iters = gx_mstep_quick_iters(c->s);
    /* With only the first warmed, the search kept choosing it over faster ones (docs/paths.md). */
    q.warmup = 1;
    /* A slice of the share each, lest a slow path's candidates take most of the budget. */
    double share = c->b->share_s;
    if (share > 0) {
        q.min_iters = q.floor_iters = gx_mstep_search_min_iters(c->s);
        c->b->share_s = share * GX_SEARCH_SHARE / c->s->ncand;
    }
    struct gx_record scratch = {.valid = 1, .bad_offset = -1};
    int rc = measure(c->b, &q, &scratch, err);
    c->b->share_s = share;
    GX_TRY(rc);
    double v[3] = {scratch.stats.median, scratch.stats.ci_lo, scratch.stats.ci_hi};
    if (ep->initiator)
        GX_MPI_TRY(err, MPI_Send(v, 3, MPI_DOUBLE, ep->peer, GX_TAG_AUTO_CHOICE, ep->job->comm));
    else
        GX_MPI_TRY(err, MPI_Recv(v, 3, MPI_DOUBLE, ep->peer, GX_TAG_AUTO_CHOICE, ep->job->comm,
                                 MPI_STATUS_IGNORE));
    *m = (struct gx_cand_result){.median = v[0], .lo = v[1], .hi = v[2]};
    c->b->cand[c->rec->ncand++] =
        (struct gx_auto_cand){.chunk = (int64_t)q.chunk, .depth = q.depth, .m = *m};
    return GX_OK;
}

int gx_measure_best(struct gx_bench *b, const struct gx_mstep *s, struct gx_record *rec,
                    struct gx_err *err)
{
    if (s->ncand <= 1)
        return measure(b, s, rec, err);
    struct cand_ctx ctx = {b, s, rec};
    int best, order[GX_AUTO_MAX_CANDIDATES];
    double share = b->share_s, t0 = gx_wtime();
    rec->ncand = 0;
    if (gx_chunk_search(s->cand_chunk, s->ncand, gx_pattern_table[s->pattern]->lower_is_better,
                        s->precision, measure_candidate, &ctx, &best, order, err) < 0)
        return err->rc;
    struct gx_mstep full = *s;
    full.chunk = s->cand_chunk[best];
    full.depth = s->cand_depth[best];
    rec->chunk = (int64_t)full.chunk;
    rec->depth = full.depth;
    /* The search is part of the step: the measurement gets the share it left, or its fewest
     * iterations, else a slow path's steps outlast their shares by the search. */
    if (share > 0) {
        double left = share - (gx_wtime() - t0);
        b->share_s = left > GX_SHARE_LEAST_S ? left : GX_SHARE_LEAST_S;
    }
    int rc = measure(b, &full, rec, err);
    b->share_s = share;
    rec->share_s = share;
    return rc;
}
