/* Calibration: MPI host to host between a pair of ranks (bandwidth one way and both ways, and
 * ping-pong latency), measured as favourably as the results they bound; and MPI bandwidth on
 * managed memory on the host, the MPI stage of the unified paths (a CUDA-aware MPI may take
 * such buffers for device memory and copy them as such: that is what those paths pay), twice:
 * on pages resident there and touched by the CPU, and on pages the driver has just moved there,
 * as unified-prefetch hands them to MPI. The second is not the first: on H200, with Open MPI's
 * CUDA support off, MPI writing into pages just discarded or prefetched to the host ran at half
 * the rate of the same pages once the CPU had written them (results/issue15). */
#include "config.h"
#include "calibrate.h"
#include "calib_plan.h"

#include "fault.h"
#include "mem.h"
#include "mpi_util.h"
#include "mplan.h"
#include "stats.h"
#include "watchdog.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GX_TAG_CAL_SYNC 152
#define GX_TAG_CAL_DATA 153
#define GX_TAG_CAL_ACK 154
#define GX_TAG_CAL_PLAN 155
/* A timed MPI repeat moves GX_CAL_TARGET_BYTES or lasts about this long, whichever is less:
 * a slow link gets fewer messages, never minutes per size. */
#define REPEAT_MAX_S 0.1
/* Without --timeout, one MPI calibration task stops measuring (the rest absent) after this. */
#define TASK_BUDGET_S 30.0

struct mpi_rig {
    const struct gx_job *job;
    int peer, initiator;
    int kind;            /* memory kind of the buffers */
    int no_discard;      /* gx_cal_managed_as_moved's */
    void *src, *dst;
    struct gx_requests reqs;
    double deadline;     /* MPI_Wtime on the initiator: no new point after it */
    double sec_per_byte; /* of the last point measured, 0 when none yet */
    int passes;          /* timed repeats of each point: GX_CAL_REPEATS, fewer when rechecking */
    int rechecking;      /* a point measured again: the slow-calibration fault spares it */
    int in_passes;       /* the timed passes (not the probe and warm-up that size them) */
};

/* Both sides of the pair learn whether both are fine. */
static int both_ok(struct mpi_rig *m, int mine, int *both, struct gx_err *err)
{
    int theirs = 0;
    GX_MPI_TRY(err, MPI_Sendrecv(&mine, 1, MPI_INT, m->peer, GX_TAG_CAL_SYNC, &theirs, 1,
                                 MPI_INT, m->peer, GX_TAG_CAL_SYNC, m->job->comm,
                                 MPI_STATUS_IGNORE));
    *both = mine && theirs;
    return GX_OK;
}

static void mpi_rig_release(struct mpi_rig *m)
{
    if (m->src)
        gx_mem_table[m->kind]->release(m->src);
    if (m->dst)
        gx_mem_table[m->kind]->release(m->dst);
    m->src = m->dst = NULL;
}

static int both_ways(int kind)
{
    return kind == GX_CEIL_MPI_BIBW || kind == GX_CEIL_MPI_MANAGED_BIBW ||
           kind == GX_CEIL_MPI_MIGRATED_BIBW || kind == GX_CEIL_MPI_PINNED_BIBW;
}

/* Curves whose windows start on pages just moved, as unified-prefetch hands them to MPI
 * (gx_cal_managed_as_moved, untimed), each message on pages of its own. */
static int moved_first(int kind)
{
    return kind == GX_CEIL_MPI_MIGRATED_BW || kind == GX_CEIL_MPI_MIGRATED_BIBW;
}

/* The bytes of each buffer a point of `size` uses: one message's, or a whole window's when
 * every message has pages of its own. */
static size_t span_of(const struct gx_ceil_curve *c, size_t size)
{
    return moved_first(c->kind) ? size * (size_t)gx_default_window(size) : size;
}

/* Buffers of m->kind for the largest span both sides can hold; the sizes above it are absent.
 * Every page is touched by the CPU, so that it is on the host and mapped there. */
static int mpi_rig_alloc(struct mpi_rig *m, struct gx_ceil_curve *c, int nc, size_t *fit,
                         struct gx_err *err)
{
    size_t want = 0, limit = gx_cal_host_limit(m->job);
    for (int k = 0; k < nc; k++)
        for (int i = 0; i < c[k].n; i++)
            if (span_of(&c[k], c[k].pts[i].size) > want)
                want = span_of(&c[k], c[k].pts[i].size);
    char first[GX_CEIL_TEXT] = "";
    while (want > 0) {
        struct gx_err e = {0};
        int mine = 0, both = 0;
        if (want > limit)
            snprintf(e.msg, sizeof e.msg, "%zu bytes of host memory is more than a quarter of "
                     "this node's memory per rank", want);
        else if (gx_mem_table[m->kind]->alloc(want, &m->src, &e) == GX_OK &&
                 gx_mem_table[m->kind]->alloc(want, &m->dst, &e) == GX_OK)
            mine = 1;
        GX_TRY(both_ok(m, mine, &both, err));
        if (both) {
            /* Touch every page: the first message must not pay for faulting them in. */
            memset(m->src, 1, want);
            memset(m->dst, 0, want);
            break;
        }
        mpi_rig_release(m);
        if (!first[0])
            snprintf(first, sizeof first, "%.199s", mine ? "the peer could not allocate its buffers"
                                                     : e.msg);
        size_t next = 0;
        for (int k = 0; k < nc; k++)
            for (int i = 0; i < c[k].n; i++) {
                size_t s = span_of(&c[k], c[k].pts[i].size);
                next = s < want && s > next ? s : next;
            }
        want = next;
    }
    for (int k = 0; k < nc; k++)
        for (int i = 0; i < c[k].n; i++)
            if (span_of(&c[k], c[k].pts[i].size) > want) {
                gx_cal_absent_from(&c[k], i, first);
                break;
            }
    *fit = want;
    return GX_OK;
}

/* The median of a repeat's n timed windows or round trips (reordered), and the range they
 * covered (p5..p95). */
static double median_of(double *v, int n, double range[2])
{
    struct gx_stats st;
    gx_stats_compute(v, (size_t)n, &st);
    range[0] = st.p5;
    range[1] = st.p95;
    return st.median;
}

#define MAX_TIMED 512 /* windows or round trips timed one by one in a repeat */

/* The slow-calibration fault (fault.h): the initiator's window or round trip that began at t0,
 * in the timed passes, lasts GX_FAULT_SLOW_FACTOR times as long, as at a slow moment of the
 * machine. The probe and warm-up that size the repeats are spared (sized from a slowed probe,
 * a point looked too long for the calibration's time on a loaded machine and was left out), and
 * so is a point measured again, so that the recheck sees the machine as it is. */
static void slowed(const struct mpi_rig *m, size_t size, double t0)
{
    if (!m->initiator || m->rechecking || !m->in_passes ||
        !gx_fault_slow_calibration(m->job->rank, size))
        return;
    double until = t0 + GX_FAULT_SLOW_FACTOR * (MPI_Wtime() - t0);
    while (MPI_Wtime() < until)
        ;
}

/* Moves the pages of one window's messages as unified-prefetch's are when it hands them to
 * MPI (the sender's sent, the receiver's discarded), then waits for the peer to have done the
 * same: untimed. GX_ESKIP on both sides when either could not (a CUDA error: the point and
 * those after it are absent, as with the other ceilings). */
static int move_window(struct mpi_rig *m, size_t bytes, int send, int recv, struct gx_err *err)
{
    struct gx_err e = {0};
    int rc = GX_OK, both = 0;
    if (send)
        rc = gx_cal_managed_as_moved(m->src, bytes, m->job->gpu, 1, &m->no_discard, &e);
    if (recv && rc == GX_OK)
        rc = gx_cal_managed_as_moved(m->dst, bytes, m->job->gpu, 0, &m->no_discard, &e);
    GX_TRY(both_ok(m, rc == GX_OK, &both, err));
    if (!both)
        return gx_fail(err, GX_ESKIP, "%.190s", rc == GX_OK ? "the peer could not move its "
                       "managed pages to its GPU and back" : e.msg);
    return GX_OK;
}

/* One repeat of `nwin` windows of `window` messages, one way (the initiator sends; an ack per
 * window, as osu_bw and the bw pattern) or both ways at once, as the curve's `kind` says.
 * Each window is timed on its own and the repeat is their median, as a result is the median of
 * its iterations: the ceiling is measured as favourably as what it bounds. GB/s on the
 * initiator. */
static int bw_repeat(struct mpi_rig *m, int kind, size_t size, long window, long nwin,
                     double *gbps, double range[2], double *secs, struct gx_err *err)
{
    MPI_Comm comm = m->job->comm;
    int ack = 0, nt = 0, both = both_ways(kind), moved = moved_first(kind);
    double each[MAX_TIMED];
    size_t per = gx_mpi_pieces(size);
    GX_TRY(gx_requests_reserve(&m->reqs, 2 * (size_t)window * per, err));
    GX_MPI_TRY(err, MPI_Sendrecv(&ack, 1, MPI_INT, m->peer, GX_TAG_CAL_SYNC, &ack, 1, MPI_INT,
                                 m->peer, GX_TAG_CAL_SYNC, comm, MPI_STATUS_IGNORE));
    double t0 = MPI_Wtime();
    for (long w = 0; w < nwin; w++) {
        int n = 0;
        int recv = both || !m->initiator, send = both || m->initiator;
        size_t step = moved ? size : 0;
        if (moved)
            GX_TRY(move_window(m, size * (size_t)window, send, recv, err));
        double tw = MPI_Wtime();
        for (long i = 0; recv && i < window; i++)
            GX_TRY(gx_mpi_post((char *)m->dst + (size_t)i * step, size, 0, m->peer,
                               GX_TAG_CAL_DATA, comm, m->reqs.req, &n, err));
        for (long i = 0; send && i < window; i++)
            GX_TRY(gx_mpi_post((char *)m->src + (size_t)i * step, size, 1, m->peer,
                               GX_TAG_CAL_DATA, comm, m->reqs.req, &n, err));
        GX_MPI_TRY(err, gx_mpi_waitall(n, m->reqs.req));
        if (!both && m->initiator)
            GX_MPI_TRY(err, MPI_Recv(&ack, 1, MPI_INT, m->peer, GX_TAG_CAL_ACK, comm,
                                     MPI_STATUS_IGNORE));
        else if (!both)
            GX_MPI_TRY(err, MPI_Send(&ack, 1, MPI_INT, m->peer, GX_TAG_CAL_ACK, comm));
        slowed(m, size, tw);
        double dt = MPI_Wtime() - tw;
        if (nt < MAX_TIMED && dt > 0)
            each[nt++] = (double)size * (double)window * (both ? 2 : 1) / dt / 1e9;
    }
    if (both) /* the repeat ends when the peer has everything too */
        GX_MPI_TRY(err, MPI_Sendrecv(&ack, 1, MPI_INT, m->peer, GX_TAG_CAL_ACK, &ack, 1, MPI_INT,
                                     m->peer, GX_TAG_CAL_ACK, comm, MPI_STATUS_IGNORE));
    *secs = MPI_Wtime() - t0;
    range[0] = range[1] = *gbps = 0;
    if (nt)
        *gbps = median_of(each, nt, range);
    return GX_OK;
}

/* One repeat of `trips` round trips with bare MPI_Send/MPI_Recv, each timed on its own; one way
 * in us, the median trip (as a latency result is the median of its round trips). */
static int lat_repeat(struct mpi_rig *m, size_t size, long trips, double *us, double range[2],
                      double *secs, struct gx_err *err)
{
    MPI_Comm comm = m->job->comm;
    int n = (int)size, sync = 0, nt = 0;
    double each[MAX_TIMED];
    GX_MPI_TRY(err, MPI_Sendrecv(&sync, 1, MPI_INT, m->peer, GX_TAG_CAL_SYNC, &sync, 1, MPI_INT,
                                 m->peer, GX_TAG_CAL_SYNC, comm, MPI_STATUS_IGNORE));
    double t0 = MPI_Wtime();
    for (long i = 0; i < trips; i++) {
        double tt = MPI_Wtime();
        if (m->initiator) {
            GX_MPI_TRY(err, MPI_Send(m->src, n, MPI_BYTE, m->peer, GX_TAG_CAL_DATA, comm));
            GX_MPI_TRY(err, MPI_Recv(m->dst, n, MPI_BYTE, m->peer, GX_TAG_CAL_DATA, comm,
                                     MPI_STATUS_IGNORE));
        } else {
            GX_MPI_TRY(err, MPI_Recv(m->dst, n, MPI_BYTE, m->peer, GX_TAG_CAL_DATA, comm,
                                     MPI_STATUS_IGNORE));
            GX_MPI_TRY(err, MPI_Send(m->src, n, MPI_BYTE, m->peer, GX_TAG_CAL_DATA, comm));
        }
        slowed(m, size, tt);
        if (nt < MAX_TIMED)
            each[nt++] = (MPI_Wtime() - tt) / 2 * 1e6;
    }
    *secs = MPI_Wtime() - t0;
    *us = median_of(each, nt, range);
    return GX_OK;
}

static long clampl(double v, long lo, long hi)
{
    return v < (double)lo ? lo : v > (double)hi ? hi : (long)v;
}

/* The initiator decides how many messages (or round trips) the next repeat uses, and tells
 * the peer; 0: this point is skipped. */
static int agree_count(struct mpi_rig *m, long *n, struct gx_err *err)
{
    if (m->initiator)
        GX_MPI_TRY(err, MPI_Send(n, 1, MPI_LONG, m->peer, GX_TAG_CAL_PLAN, m->job->comm));
    else
        GX_MPI_TRY(err, MPI_Recv(n, 1, MPI_LONG, m->peer, GX_TAG_CAL_PLAN, m->job->comm,
                                 MPI_STATUS_IGNORE));
    return GX_OK;
}

/* One repeat of n messages (windows of at most `window`) or n round trips: the median in *v,
 * the p5..p95 of its windows or trips in range. */
static int mpi_repeat(struct mpi_rig *m, const struct gx_ceil_curve *c, size_t size, long window,
                      long n, double *v, double range[2], double *secs, struct gx_err *err)
{
    if (gx_ceil_kind_latency(c->kind))
        return lat_repeat(m, size, n, v, range, secs, err);
    window = window < n ? window : n;
    return bw_repeat(m, c->kind, size, window, (n + window - 1) / window, v, range, secs, err);
}

/* Messages per window at `size`, one message having taken per_msg seconds: as many as a
 * result's iteration would send at that rate (gx_default_window_at: at least GX_WINDOW_SECONDS
 * long, up to GX_WINDOW_MAX). With fewer, each window paid its acknowledgement over fewer
 * messages than the results' did, and healthy results passed their ceiling (H200: mpi bw 1 MiB
 * at 105.9%; the host path on the CPU machine at 105-138%, issue 24). Windows on pages of their
 * own stay at the buffers' span (span_of). */
static long window_at(const struct gx_ceil_curve *c, size_t size, double per_msg)
{
    if (moved_first(c->kind))
        return gx_default_window(size);
    return gx_default_window_at(size, per_msg > 0 ? (double)size / per_msg / 1e9 : 0);
}

/* What pass one settled for a point: its window and messages (or round trips) a repeat, 0
 * when the point is not measured; pass two's repeats. */
struct mpi_point_plan {
    long window, n;
    int done; /* repeats taken */
    double v[GX_CAL_REPEATS];
    double lo, hi; /* the lowest p5 and the highest p95 of the repeats' windows or trips */
};

/* Pass one at point i: one message to probe, the window, a warm-up repeat, and the messages
 * of a timed repeat: GX_CAL_TARGET_BYTES (at most 64 windows; latency: at most 500 round
 * trips) or REPEAT_MAX_S, whichever is less. *planned adds the point's timed repeats; a point
 * whose repeats would run past the task's deadline gets n = 0 (absent). */
static int mpi_point_prepare(struct mpi_rig *m, struct gx_ceil_curve *c, int i,
                             struct mpi_point_plan *pp, double *planned, struct gx_err *err)
{
    struct gx_ceil_point *p = &c->pts[i];
    size_t size = (size_t)p->size;
    double secs = 0, ignored, range[2];
    int rc = GX_OK, lat = gx_ceil_kind_latency(c->kind);
    pp->n = 0;
    if (lat && size > INT_MAX) {
        snprintf(p->absent, sizeof p->absent, "latency is measured up to %d bytes", INT_MAX);
        return GX_OK;
    }
    /* Probe with one message, unless the last size says even that would not fit. */
    double guess = m->sec_per_byte * (double)size * (m->passes + 2);
    long n = MPI_Wtime() + *planned + guess < m->deadline;
    GX_TRY(agree_count(m, &n, err));
    long window = 1;
    if (n > 0)
        rc = mpi_repeat(m, c, size, window, 1, &ignored, range, &secs, err);
    if (rc == GX_OK && n > 0 && !lat) { /* the initiator's window, for both */
        window = window_at(c, size, secs);
        GX_TRY(agree_count(m, &window, err));
    }
    long full = lat ? clampl(16.0 * (double)GX_MIB / (double)size, 10, 500)
                    : window * clampl((double)GX_CAL_TARGET_BYTES /
                                           ((double)size * (double)window), 1, 64);
    long lowest = lat ? 1 : window;
    /* The warm-up, then the timed repeats' count, sized from what the last repeat took. */
    for (int phase = 0; rc == GX_OK && phase < 2 && n > 0; phase++) {
        double per = secs / (double)n;
        /* At least a whole window: the result's messages in flight, however slow. */
        n = clampl(REPEAT_MAX_S / (per > 0 ? per : 1e-9), lowest, full);
        double will = per * (double)n * (phase ? m->passes : m->passes + 1);
        if (MPI_Wtime() + *planned + will > m->deadline)
            n = 0;
        else if (phase)
            *planned += will;
        GX_TRY(agree_count(m, &n, err));
        if (phase == 0 && n > 0)
            rc = mpi_repeat(m, c, size, window, n, &ignored, range, &secs, err);
    }
    GX_TRY(rc); /* GX_ESKIP included: the caller makes it this point's and the larger ones' */
    if (n == 0) {
        snprintf(p->absent, sizeof p->absent, "not measured: the calibration's time for "
                 "this pair (%.0f s, half of --timeout when given) would run out",
                 m->job->g->timeout > 0 ? 0.5 * (double)m->job->g->timeout : TASK_BUDGET_S);
        return GX_OK;
    }
    m->sec_per_byte = secs / (double)n / (double)size;
    pp->window = window;
    pp->n = n;
    pp->lo = HUGE_VAL;
    pp->hi = 0;
    return GX_OK;
}

/* rc of point i: a GX_ESKIP (agreed by the pair) makes this point and the larger ones absent,
 * the curve going on with the smaller ones (*last = i); any other rc as it is. */
static int skipped_from(struct gx_ceil_curve *c, int i, int rc, int *last, struct gx_err *err)
{
    if (rc != GX_ESKIP)
        return rc;
    gx_cal_absent_from(c, i, err->msg);
    *err = (struct gx_err){0};
    *last = i;
    return GX_OK;
}

/* Every point of one MPI curve, in passes: first each point is probed, warmed up and sized,
 * then m->passes (GX_CAL_REPEATS) passes take one repeat of every point each. A point's repeats are thus
 * spread over the whole curve's time, not taken back to back: on a host whose MPI rate drifts
 * by tens of percent from one tenth of a second to the next (the H100 VM: host bw at 64 B
 * read 0.08 GB/s in the calibration, 0.114-0.137 in the results; issue 24), repeats taken in
 * one moment gave a spread far narrower than the results', and healthy results were flagged
 * beyond their ceiling. Points that would run past the task's deadline are absent, and so is
 * latency above INT_MAX bytes (one MPI_Send). */
static int mpi_curve(struct mpi_rig *m, struct gx_ceil_curve *c, size_t fit, struct gx_err *err)
{
    /* A rate learnt on another curve says nothing here: latency's per byte at 8 B made a large
     * first point look as if it could never fit in the time left (on H200 it left MPI on
     * managed memory at 64M and 256M absent, "the calibration's time ... would run out"). */
    m->sec_per_byte = 0;
    int np = 0;
    while (np < c->n && span_of(c, (size_t)c->pts[np].size) <= fit)
        np++;
    if (np == 0)
        return GX_OK;
    struct mpi_point_plan *pl = calloc((size_t)np, sizeof *pl);
    if (!pl)
        return gx_fail(err, GX_ERUNTIME, "out of host memory calibrating MPI");
    double planned = 0, secs;
    int rc = GX_OK, last = np; /* points [last, np) absent after a GX_ESKIP */
    for (int i = 0; rc == GX_OK && i < last; i++) {
        gx_watchdog_progress(i, (long)np * (m->passes + 1));
        rc = skipped_from(c, i, mpi_point_prepare(m, c, i, &pl[i], &planned, err), &last, err);
    }
    for (int k = 0; rc == GX_OK && k < m->passes; k++) {
        /* A machine slower than pass one saw: the passes end at the deadline, the points keep
         * the repeats they have (the initiator's clock, for both). */
        long go = MPI_Wtime() < m->deadline;
        if ((rc = agree_count(m, &go, err)) != GX_OK || !go)
            break;
        for (int i = 0; rc == GX_OK && i < last; i++) {
            if (pl[i].n == 0)
                continue;
            gx_watchdog_progress((long)np * (k + 1) + i, (long)np * (m->passes + 1));
            double range[2];
            m->in_passes = 1;
            rc = mpi_repeat(m, c, (size_t)c->pts[i].size, pl[i].window, pl[i].n,
                            &pl[i].v[pl[i].done], range, &secs, err);
            m->in_passes = 0;
            if (rc == GX_OK) {
                pl[i].lo = fmin(pl[i].lo, range[0]);
                pl[i].hi = fmax(pl[i].hi, range[1]);
                pl[i].done++;
            }
            rc = skipped_from(c, i, rc, &last, err);
        }
    }
    /* Before a GX_ESKIP or the deadline in a later pass, the points keep the repeats they had. */
    for (int i = 0; rc == GX_OK && i < last; i++)
        if (pl[i].done > 0) {
            gx_cal_point_set(&c->pts[i], pl[i].v, pl[i].done);
            /* The spread is what the operation covered, not the repeats' medians alone (each
             * median lies within its p5..p95): a result is flagged only beyond every window's
             * rate (or round trip) the calibration saw. On the CPU machine the repeats' medians
             * were bimodal (bw at 8K: six near 4 GB/s, one at 6.95) and results at the fast
             * moment were flagged by a few percent. */
            c->pts[i].min = pl[i].lo;
            c->pts[i].max = pl[i].hi;
        } else if (pl[i].n > 0)
            snprintf(c->pts[i].absent, sizeof c->pts[i].absent, "not measured: the "
                     "calibration's time for this pair ran out before its first repeat");
    free(pl);
    return rc;
}

/* The curves c[0..n) on buffers of `kind` (the same on both sides: usable agreed), described
 * as `buffers`. */
static int mpi_curves(struct mpi_rig *m, int kind, const char *buffers, struct gx_ceil_curve *c,
                      int n, struct gx_err *err)
{
    int a = m->initiator ? m->job->rank : m->peer, b = m->initiator ? m->peer : m->job->rank;
    for (int k = 0; k < n; k++) {
        int both = both_ways(c[k].kind), lat = gx_ceil_kind_latency(c[k].kind);
        const char *how = lat ? "MPI_Send/MPI_Recv ping-pong" : "MPI windows of Isend/Irecv";
        snprintf(c[k].what, sizeof c[k].what, "%s %d %s %d%s, %s buffers", how, a,
                 both || lat ? "<->" : "->", b, both ? " at once" : lat ? ", one way" : "",
                 buffers);
    }
    int any = 0;
    for (int k = 0; k < n; k++)
        any |= c[k].n > 0;
    if (!any)
        return GX_OK;
    struct gx_err why = {0};
    int usable = gx_mem_usable(kind, &why) == GX_OK, both = 0;
    GX_TRY(both_ok(m, usable, &both, err));
    if (!both) {
        for (int k = 0; k < n; k++)
            if (c[k].n)
                snprintf(c[k].absent, sizeof c[k].absent, "%.199s",
                         usable ? "the peer cannot allocate these buffers" : why.msg);
        return GX_OK;
    }
    m->kind = kind;
    size_t fit = 0;
    int rc = mpi_rig_alloc(m, c, n, &fit, err);
    for (int k = 0; k < n && rc == GX_OK && fit > 0; k++)
        rc = mpi_curve(m, &c[k], fit, err);
    mpi_rig_release(m);
    return rc;
}

/* The MPI task's curves (gx_cal_tasks' order, calib_plan.c) by the buffers they are measured
 * on. Pageable and pinned apart: a CUDA-aware Open MPI moved pinned host buffers at 10.4 GB/s
 * where pageable ones ran at 150 (H200, issue 24), so neither bounds the other. */
static const struct mpi_buffers {
    int mem;         /* enum gx_mem_kind */
    int first, n;    /* curves c[first .. first + n) */
    const char *what;
} mpi_buffers[] = {
    {GX_MEM_PAGEABLE, 0, 3, "pageable (malloc)"},
    {GX_MEM_PINNED, 7, 3, "pinned"},
    {GX_MEM_MANAGED, 3, 2, "managed (pages resident on the host)"},
    {GX_MEM_MANAGED, 5, 2, "managed (each window's pages moved to the GPU and back first, as "
                           "unified-prefetch's)"},
};

int gx_cal_mpi_pair(const struct gx_job *job, int a, int b, struct gx_ceil_curve c[10],
                    struct gx_err *err)
{
    struct mpi_rig m = {.job = job, .peer = job->rank == a ? b : a, .initiator = job->rank == a,
                        .passes = GX_CAL_REPEATS};
    m.deadline = MPI_Wtime() +
                 (job->g->timeout > 0 ? 0.5 * (double)job->g->timeout : TASK_BUDGET_S);
    int rc = GX_OK;
    for (size_t g = 0; g < GX_ARRAY_LEN(mpi_buffers) && rc == GX_OK; g++)
        rc = mpi_curves(&m, mpi_buffers[g].mem, mpi_buffers[g].what, c + mpi_buffers[g].first,
                        mpi_buffers[g].n, err);
    gx_requests_free(&m.reqs);
    return rc;
}

/* The buffers the MPI task measures a kind of curve on, or NULL: not MPI between the pair's
 * hosts. */
static const struct mpi_buffers *buffers_of(int kind)
{
    const struct gx_cal_task *t = gx_cal_task(GX_CAL_MPI);
    int k = 0; /* the curve's index in the task, as gx_cal_mpi_pair's c[] */
    while (t && k < t->ncurves && (int)t->kinds[k] != kind)
        k++;
    for (size_t g = 0; t && k < t->ncurves && g < GX_ARRAY_LEN(mpi_buffers); g++)
        if (k >= mpi_buffers[g].first && k < mpi_buffers[g].first + mpi_buffers[g].n)
            return &mpi_buffers[g];
    return NULL;
}

int gx_cal_recheck(const struct gx_job *job, int kind, int a, int b, size_t size,
                   struct gx_ceil_point *again, struct gx_err *err)
{
    const struct mpi_buffers *on = buffers_of(kind);
    *again = (struct gx_ceil_point){.size = size};
    if (!on) {
        snprintf(again->absent, sizeof again->absent, "%s is not measured again",
                 gx_ceil_kind_name((enum gx_ceil_kind)kind));
        return GX_OK;
    }
    struct mpi_rig m = {.job = job, .peer = job->rank == a ? b : a, .initiator = job->rank == a,
                        .passes = GX_CAL_RECHECK_REPEATS, .rechecking = 1};
    /* A few seconds at most: this runs between two measurements. */
    double budget = job->g->timeout > 0 ? 0.25 * (double)job->g->timeout : 5.0;
    m.deadline = MPI_Wtime() + (budget < 5.0 ? budget : 5.0);
    struct gx_ceil_curve c = {.kind = kind, .a = a, .b = b, .n = 1, .pts = again};
    int rc = mpi_curves(&m, on->mem, on->what, &c, 1, err);
    gx_requests_free(&m.reqs);
    if (rc == GX_OK && c.absent[0] && !again->absent[0])
        snprintf(again->absent, sizeof again->absent, "%.199s", c.absent);
    return rc;
}
