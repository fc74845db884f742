/* Calibration: the plan (which ceilings at which sizes, from the measurement plan and the
 * paths' declared bounds), the tasks one after another, MPI host-to-host bandwidth and latency, and
 * gathering every curve to rank 0. The CUDA measurements are in calibrate_cuda.c. */
#include "config.h"
#include "calibrate.h"

#include "mplan.h"
#include "pattern.h"
#include "sink.h"
#include "mem.h"
#include "mpi_util.h"
#include "path.h"
#include "stats.h"
#include "watchdog.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GX_TAG_CAL_CURVE 150
#define GX_TAG_CAL_POINTS 151
#define GX_TAG_CAL_SYNC 152
#define GX_TAG_CAL_DATA 153
#define GX_TAG_CAL_ACK 154
#define GX_TAG_CAL_PLAN 155
/* A timed MPI repeat moves GX_CAL_TARGET_BYTES or lasts about this long, whichever is less:
 * a slow link gets fewer messages, never minutes per size. */
#define REPEAT_MAX_S 0.1
/* Without --timeout, one MPI calibration task stops measuring (the rest absent) after this. */
#define TASK_BUDGET_S 30.0
#define BUSID_LEN 32

/* ------------------------------------------------------------------ the plan */

struct size_set {
    size_t n, cap;
    size_t *v; /* increasing, no duplicates */
};

/* The size sets: one per curve family, since each is measured at the sizes its results need. */
enum { SET_COPY, SET_PEER, SET_PEER_BI, SET_MPI, SET_MPI_BI, SET_LAT, NSETS };

/* The tasks a pair needs. */
#define GX_CAL_COPY 0x1u /* H2D and D2H copies of each rank's GPU */
#define GX_CAL_PEER 0x2u /* peer copies between the GPUs of a same-node pair */
#define GX_CAL_MPI  0x4u /* MPI host to host between the pair (bandwidth and latency) */

struct cal_pair {
    int a, b;
    unsigned need; /* GX_CAL_* */
};

struct plan {
    struct size_set sets[NSETS];
    char *copy_rank;           /* per rank: measure its GPU's copies */
    struct cal_pair *pairs;
    int npairs;
    size_t cap;
    unsigned need;             /* union over the pairs */
    /* Progress: the task under way of how many (rank 0 draws it). */
    struct gx_output *out;
    int task, ntasks;
};

static int set_add(struct size_set *s, size_t v, struct gx_err *err)
{
    size_t i = 0;
    while (i < s->n && s->v[i] < v)
        i++;
    if (i < s->n && s->v[i] == v)
        return GX_OK;
    size_t *grown = gx_grow(s->v, &s->cap, s->n, 16, sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory planning the calibration");
    s->v = grown;
    memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof *s->v);
    s->v[i] = v;
    s->n++;
    return GX_OK;
}

static int pair_add(struct plan *p, int a, int b, unsigned need, struct gx_err *err)
{
    for (int i = 0; i < p->npairs; i++)
        if (p->pairs[i].a == a && p->pairs[i].b == b) {
            p->pairs[i].need |= need;
            return GX_OK;
        }
    struct cal_pair *grown = gx_grow(p->pairs, &p->cap, (size_t)p->npairs, 8, sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory planning the calibration");
    p->pairs = grown;
    p->pairs[p->npairs++] = (struct cal_pair){a, b, need};
    return GX_OK;
}

static void plan_free(struct plan *p)
{
    for (int i = 0; i < NSETS; i++)
        free(p->sets[i].v);
    free(p->copy_rank);
    free(p->pairs);
    memset(p, 0, sizeof *p);
}

/* The set each kind of ceiling is measured at. */
static int set_of(enum gx_ceil_kind kind)
{
    static const int sets[GX_CEIL_KINDS] = {
        [GX_CEIL_H2D] = SET_COPY,      [GX_CEIL_D2H] = SET_COPY,
        [GX_CEIL_PEER] = SET_PEER,     [GX_CEIL_PEER_BIDIR] = SET_PEER_BI,
        [GX_CEIL_MPI_BW] = SET_MPI,    [GX_CEIL_MPI_BIBW] = SET_MPI_BI,
        [GX_CEIL_MPI_LAT] = SET_LAT,
    };
    return sets[kind];
}

/* The task family that measures a kind (GX_CAL_*). */
static unsigned task_of(enum gx_ceil_kind kind)
{
    return kind == GX_CEIL_H2D || kind == GX_CEIL_D2H       ? GX_CAL_COPY
           : kind == GX_CEIL_PEER || kind == GX_CEIL_PEER_BIDIR ? GX_CAL_PEER
                                                                : GX_CAL_MPI;
}

/* What one step of one pair will be rated against: the stages of the path's rule that holds,
 * at the message or, for a rule at the chunk, at each chunk the step may use. Returns the
 * GX_CAL_* tasks it needs. */
static int plan_step(struct plan *p, const struct gx_path_ops *ops, const struct gx_mgroup *g,
                     const struct gx_mstep *st, int same_node, unsigned *need,
                     struct gx_err *err)
{
    const struct gx_bound_rule *rule =
        gx_bound_rule(ops->bounds, gx_pattern_table[st->pattern]->family,
                      gx_mem_on_gpu(g->src_kind) || gx_mem_on_gpu(g->dst_kind), same_node);
    if (!rule)
        return GX_OK;
    int n = rule->at_chunk && st->ncand > 1 ? st->ncand : 1;
    for (int i = 0; i < n; i++) {
        /* As the path cuts the message: no chunk, or one larger, is the whole. */
        size_t c = !rule->at_chunk ? 0 : st->ncand > 1 ? st->cand_chunk[i] : st->chunk;
        size_t at = c == 0 || c > st->size ? st->size : c;
        for (int k = 0; k < rule->nstages; k++) {
            GX_TRY(set_add(&p->sets[set_of(rule->stages[k].kind)], at, err));
            *need |= task_of(rule->stages[k].kind);
        }
    }
    return GX_OK;
}

/* What the calibrated runs' steps will be rated against: their sizes and their pairs. */
static int plan_make(const struct gx_job *job, const struct gx_options *o,
                     const struct gx_mplan *mp, struct plan *p, struct gx_err *err)
{
    memset(p, 0, sizeof *p);
    if (!(p->copy_rank = calloc((size_t)job->size, 1)))
        return gx_fail(err, GX_ERUNTIME, "out of host memory planning the calibration");
    for (size_t gi = 0; gi < mp->ngroups; gi++) {
        const struct gx_mgroup *g = &mp->groups[gi];
        if (g->absent || !o->runs[g->run].calibrate)
            continue;
        const struct gx_path_ops *ops = gx_paths[g->path].ops;
        const struct gx_round *round = &mp->pairs[g->run].rounds[g->round];
        for (int i = 0; i < round->npairs; i++) {
            const struct gx_pair *pr = &round->pairs[i];
            int same = job->node_of[pr->a] == job->node_of[pr->b];
            unsigned need = 0;
            for (size_t k = g->first; k < g->first + g->n; k++)
                GX_TRY(plan_step(p, ops, g, &mp->steps[k], same, &need, err));
            if (!need)
                continue;
            GX_TRY(pair_add(p, pr->a, pr->b, need, err));
            if (need & GX_CAL_COPY)
                p->copy_rank[pr->a] = p->copy_rank[pr->b] = 1;
            p->need |= need;
        }
    }
    /* The reference latency of the pair, whatever the runs' latency sizes. */
    if (p->need & GX_CAL_MPI)
        GX_TRY(set_add(&p->sets[SET_LAT], 8, err));
    return GX_OK;
}

/* ------------------------------------------------------------------ helpers */

size_t gx_cal_host_limit(const struct gx_job *job)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return (size_t)1 << 40;
    double quarter = (double)pages * (double)page / 4 / (job->local_size > 0 ? job->local_size : 1);
    return (size_t)quarter;
}

void gx_cal_point_set(struct gx_ceil_point *p, double *v, int n)
{
    struct gx_stats st;
    gx_stats_compute(v, (size_t)n, &st);
    p->median = st.median;
    p->min = st.min;
    p->max = st.max;
    p->repeats = n;
    p->absent[0] = '\0';
}

void gx_cal_absent_from(struct gx_ceil_curve *c, int from, const char *why)
{
    for (int i = from; i < c->n; i++)
        if (c->pts[i].repeats == 0 && !c->pts[i].absent[0])
            snprintf(c->pts[i].absent, sizeof c->pts[i].absent, "%s", why);
}

/* A curve of `kind` for (a, b) with one point per size of the set; points live in pts. */
static int curve_init(struct gx_ceil_curve *c, enum gx_ceil_kind kind, int a, int b,
                      const struct size_set *s, struct gx_err *err)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->a = a;
    c->b = b;
    c->n = (int32_t)s->n;
    if (s->n == 0)
        return GX_OK;
    if (!(c->pts = calloc(s->n, sizeof *c->pts)))
        return gx_fail(err, GX_ERUNTIME, "out of host memory for a calibration curve");
    for (size_t i = 0; i < s->n; i++)
        c->pts[i].size = s->v[i];
    return GX_OK;
}

/* The owner's curve to rank 0, which keeps it. Only the owner and rank 0 take part. */
static int ship(const struct gx_job *job, int owner, const struct gx_ceil_curve *c,
                struct gx_ceilings *all, struct gx_err *err)
{
    if (job->rank == 0 && owner == 0)
        return c->n || c->absent[0] ? gx_ceilings_add(all, c, c->pts, err) : GX_OK;
    if (job->rank == owner) {
        GX_MPI_TRY(err, MPI_Send(c, (int)sizeof *c, MPI_BYTE, 0, GX_TAG_CAL_CURVE, job->comm));
        if (c->n)
            GX_MPI_TRY(err, MPI_Send(c->pts, (int)((size_t)c->n * sizeof *c->pts), MPI_BYTE, 0,
                                     GX_TAG_CAL_POINTS, job->comm));
        return GX_OK;
    }
    if (job->rank != 0)
        return GX_OK;
    struct gx_ceil_curve got;
    GX_MPI_TRY(err, MPI_Recv(&got, (int)sizeof got, MPI_BYTE, owner, GX_TAG_CAL_CURVE, job->comm,
                             MPI_STATUS_IGNORE));
    got.pts = NULL;
    if (got.n < 0 || got.n > 1 << 20)
        return gx_fail(err, GX_ERUNTIME, "calibration: rank %d sent a curve of %d points",
                       owner, (int)got.n);
    struct gx_ceil_point *pts = NULL;
    if (got.n && !(pts = malloc((size_t)got.n * sizeof *pts)))
        return gx_fail(err, GX_ERUNTIME, "out of host memory for a calibration curve");
    int mpirc = got.n ? MPI_Recv(pts, (int)((size_t)got.n * sizeof *pts), MPI_BYTE, owner,
                                 GX_TAG_CAL_POINTS, job->comm, MPI_STATUS_IGNORE)
                      : MPI_SUCCESS;
    int rc = mpirc != MPI_SUCCESS ? gx_fail_mpi(err, mpirc, "MPI_Recv", __FILE__, __LINE__)
             : got.n || got.absent[0] ? gx_ceilings_add(all, &got, pts, err)
                                      : GX_OK;
    free(pts);
    return rc;
}

/* Tells the watchdog what is calibrated, by whom, for how long at most: 60 s + the bytes the
 * task moves at 0.5 GB/s, unless --timeout says otherwise. */
static void arm(const struct gx_job *job, struct plan *p, const char *what, int a, int b,
                const struct gx_ceil_curve *curves, int ncurves)
{
    char note[160];
    snprintf(note, sizeof note, "[calibration %d/%d] %s", ++p->task, p->ntasks, what);
    gx_output_note(p->out, note);
    double bytes = 0;
    for (int k = 0; k < ncurves; k++)
        for (int i = 0; i < curves[k].n; i++) {
            double s = (double)curves[k].pts[i].size;
            bytes += (s > GX_CAL_TARGET_BYTES ? s : GX_CAL_TARGET_BYTES) * (GX_CAL_REPEATS + 1);
        }
    int ranks[2] = {a, b};
    char text[256];
    snprintf(text, sizeof text, "calibration: %s", what);
    gx_watchdog_arm(text, ranks, b >= 0 ? 2 : 1,
                    job->g->timeout > 0 ? (double)job->g->timeout : 60.0 + 2.0 * bytes / 1e9);
}

/* The owner's curves to rank 0; the task is over on every rank before the next begins: no two
 * tasks share a link. */
static int end_task(const struct gx_job *job, int owner, const struct gx_ceil_curve *c, int n,
                    struct gx_ceilings *all, struct gx_err *err)
{
    for (int k = 0; k < n; k++)
        GX_TRY(ship(job, owner, &c[k], all, err));
    gx_watchdog_measured();
    GX_MPI_TRY(err, MPI_Barrier(job->comm));
    gx_watchdog_disarm();
    return GX_OK;
}

static void curves_free(struct gx_ceil_curve *c, int n)
{
    for (int i = 0; i < n; i++) {
        free(c[i].pts);
        c[i].pts = NULL;
    }
}

/* ------------------------------------------------------------------ MPI host to host */

struct mpi_rig {
    const struct gx_job *job;
    int peer, initiator;
    int kind;            /* memory kind of the buffers */
    void *src, *dst;
    struct gx_requests reqs;
    double deadline;     /* MPI_Wtime on the initiator: no new point after it */
    double sec_per_byte; /* of the last point measured, 0 when none yet */
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

/* Buffers for the largest size both sides can hold (pinned where CUDA has a GPU here, as the
 * staged path's buffers are; malloc otherwise); the sizes above it are absent. */
static int mpi_rig_alloc(struct mpi_rig *m, struct gx_ceil_curve *c, int nc, size_t *fit,
                         struct gx_err *err)
{
    struct gx_err why = {0};
    m->kind = gx_mem_usable(GX_MEM_PINNED, &why) == GX_OK ? GX_MEM_PINNED : GX_MEM_PAGEABLE;
    size_t want = 0, limit = gx_cal_host_limit(m->job);
    for (int k = 0; k < nc; k++)
        if (c[k].n && c[k].pts[c[k].n - 1].size > want)
            want = c[k].pts[c[k].n - 1].size;
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
            for (int i = 0; i < c[k].n; i++)
                if (c[k].pts[i].size < want && c[k].pts[i].size > next)
                    next = c[k].pts[i].size;
        want = next;
    }
    for (int k = 0; k < nc; k++)
        for (int i = 0; i < c[k].n; i++)
            if (c[k].pts[i].size > want) {
                gx_cal_absent_from(&c[k], i, first);
                break;
            }
    *fit = want;
    return GX_OK;
}

/* The median of n values (reordered). */
static double median_of(double *v, int n)
{
    struct gx_stats st;
    gx_stats_compute(v, (size_t)n, &st);
    return st.median;
}

#define MAX_TIMED 512 /* windows or round trips timed one by one in a repeat */

/* One repeat of `nwin` windows of `window` messages, one way (the initiator sends; an ack per
 * window, as osu_bw and the bw pattern) or both ways at once. Each window is timed on its own
 * and the repeat is their median, as a result is the median of its iterations: the ceiling is
 * measured as favourably as what it bounds. GB/s on the initiator. */
static int bw_repeat(struct mpi_rig *m, size_t size, long window, long nwin, int both,
                     double *gbps, double *secs, struct gx_err *err)
{
    MPI_Comm comm = m->job->comm;
    int ack = 0, nt = 0;
    double each[MAX_TIMED];
    size_t per = gx_mpi_pieces(size);
    GX_TRY(gx_requests_reserve(&m->reqs, 2 * (size_t)window * per, err));
    GX_MPI_TRY(err, MPI_Sendrecv(&ack, 1, MPI_INT, m->peer, GX_TAG_CAL_SYNC, &ack, 1, MPI_INT,
                                 m->peer, GX_TAG_CAL_SYNC, comm, MPI_STATUS_IGNORE));
    double t0 = MPI_Wtime();
    for (long w = 0; w < nwin; w++) {
        int n = 0;
        int recv = both || !m->initiator, send = both || m->initiator;
        double tw = MPI_Wtime();
        for (long i = 0; recv && i < window; i++)
            GX_TRY(gx_mpi_post(m->dst, size, 0, m->peer, GX_TAG_CAL_DATA, comm, m->reqs.req, &n,
                               err));
        for (long i = 0; send && i < window; i++)
            GX_TRY(gx_mpi_post(m->src, size, 1, m->peer, GX_TAG_CAL_DATA, comm, m->reqs.req, &n,
                               err));
        GX_MPI_TRY(err, MPI_Waitall(n, m->reqs.req, MPI_STATUSES_IGNORE));
        if (!both && m->initiator)
            GX_MPI_TRY(err, MPI_Recv(&ack, 1, MPI_INT, m->peer, GX_TAG_CAL_ACK, comm,
                                     MPI_STATUS_IGNORE));
        else if (!both)
            GX_MPI_TRY(err, MPI_Send(&ack, 1, MPI_INT, m->peer, GX_TAG_CAL_ACK, comm));
        double dt = MPI_Wtime() - tw;
        if (nt < MAX_TIMED && dt > 0)
            each[nt++] = (double)size * (double)window * (both ? 2 : 1) / dt / 1e9;
    }
    if (both) /* the repeat ends when the peer has everything too */
        GX_MPI_TRY(err, MPI_Sendrecv(&ack, 1, MPI_INT, m->peer, GX_TAG_CAL_ACK, &ack, 1, MPI_INT,
                                     m->peer, GX_TAG_CAL_ACK, comm, MPI_STATUS_IGNORE));
    *secs = MPI_Wtime() - t0;
    *gbps = nt ? median_of(each, nt) : 0;
    return GX_OK;
}

/* One repeat of `trips` round trips with bare MPI_Send/MPI_Recv, each timed on its own; one way
 * in us, the median trip (as a latency result is the median of its round trips). */
static int lat_repeat(struct mpi_rig *m, size_t size, long trips, double *us, double *secs,
                      struct gx_err *err)
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
        if (nt < MAX_TIMED)
            each[nt++] = (MPI_Wtime() - tt) / 2 * 1e6;
    }
    *secs = MPI_Wtime() - t0;
    *us = median_of(each, nt);
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

/* One repeat of n messages (windows of at most the usual window) or n round trips. */
static int mpi_repeat(struct mpi_rig *m, const struct gx_ceil_curve *c, size_t size, long n,
                      double *v, double *secs, struct gx_err *err)
{
    if (c->kind == GX_CEIL_MPI_LAT)
        return lat_repeat(m, size, n, v, secs, err);
    long window = gx_default_window(size);
    window = window < n ? window : n;
    return bw_repeat(m, size, window, (n + window - 1) / window, c->kind == GX_CEIL_MPI_BIBW, v,
                     secs, err);
}

/* Every point of one MPI curve: one message to probe, a warm-up repeat, then the repeats,
 * each of GX_CAL_TARGET_BYTES (at most 64 windows; latency: at most 500 round trips) or
 * REPEAT_MAX_S, whichever is less. Points that would run past the task's deadline are absent,
 * and so is latency above INT_MAX bytes (one MPI_Send). */
static int mpi_curve(struct mpi_rig *m, struct gx_ceil_curve *c, size_t fit, struct gx_err *err)
{
    for (int i = 0; i < c->n && c->pts[i].size <= fit; i++) {
        struct gx_ceil_point *p = &c->pts[i];
        size_t size = (size_t)p->size;
        double v[GX_CAL_REPEATS], secs, ignored;
        gx_watchdog_progress(i, c->n);
        if (c->kind == GX_CEIL_MPI_LAT && size > INT_MAX) {
            snprintf(p->absent, sizeof p->absent, "latency is measured up to %d bytes", INT_MAX);
            continue;
        }
        long full = c->kind == GX_CEIL_MPI_LAT
                        ? clampl(16.0 * (double)GX_MIB / (double)size, 10, 500)
                        : gx_default_window(size) *
                              clampl((double)GX_CAL_TARGET_BYTES /
                                         ((double)size * (double)gx_default_window(size)), 1, 64);
        long lowest = c->kind == GX_CEIL_MPI_LAT ? 1 : gx_default_window(size);
        /* Probe with one message, unless the last size says even that would not fit. */
        double guess = m->sec_per_byte * (double)size * (GX_CAL_REPEATS + 2);
        long n = MPI_Wtime() + guess < m->deadline;
        GX_TRY(agree_count(m, &n, err));
        if (n > 0)
            GX_TRY(mpi_repeat(m, c, size, 1, &ignored, &secs, err));
        /* The warm-up, then the timed repeats, sized from what the last repeat took. */
        for (int phase = 0; phase < 2 && n > 0; phase++) {
            double per = secs / (double)n;
            /* At least a whole window: the result's messages in flight, however slow. */
            n = clampl(REPEAT_MAX_S / (per > 0 ? per : 1e-9), lowest, full);
            if (MPI_Wtime() + per * (double)n * (phase ? GX_CAL_REPEATS : GX_CAL_REPEATS + 1) >
                m->deadline)
                n = 0;
            GX_TRY(agree_count(m, &n, err));
            for (int k = 0; n > 0 && k < (phase ? GX_CAL_REPEATS : 1); k++)
                GX_TRY(mpi_repeat(m, c, size, n, phase ? &v[k] : &ignored, &secs, err));
        }
        if (n == 0) {
            snprintf(p->absent, sizeof p->absent, "not measured: the calibration's time for "
                     "this pair (%.0f s, half of --timeout when given) would run out",
                     m->job->g->timeout > 0 ? 0.5 * (double)m->job->g->timeout : TASK_BUDGET_S);
            continue;
        }
        m->sec_per_byte = secs / (double)n / (double)size;
        gx_cal_point_set(p, v, GX_CAL_REPEATS);
    }
    return GX_OK;
}

/* MPI bandwidth one way and both ways, and latency, between a and b (both take part; a keeps
 * the curves). */
static int mpi_pair(const struct gx_job *job, int a, int b, struct gx_ceil_curve c[3],
                    struct gx_err *err)
{
    struct mpi_rig m = {.job = job, .peer = job->rank == a ? b : a, .initiator = job->rank == a};
    m.deadline = MPI_Wtime() +
                 (job->g->timeout > 0 ? 0.5 * (double)job->g->timeout : TASK_BUDGET_S);
    size_t fit = 0;
    int rc = mpi_rig_alloc(&m, c, 3, &fit, err);
    const char *buffers = m.kind == GX_MEM_PINNED ? "pinned" : "pageable (malloc)";
    snprintf(c[0].what, sizeof c[0].what, "MPI windows of Isend/Irecv %d -> %d, %s buffers", a,
             b, buffers);
    snprintf(c[1].what, sizeof c[1].what, "MPI windows of Isend/Irecv %d <-> %d at once, %s "
             "buffers", a, b, buffers);
    snprintf(c[2].what, sizeof c[2].what, "MPI_Send/MPI_Recv ping-pong %d <-> %d, one way, %s "
             "buffers", a, b, buffers);
    for (int k = 0; k < 3 && rc == GX_OK && fit > 0; k++)
        rc = mpi_curve(&m, &c[k], fit, err);
    mpi_rig_release(&m);
    gx_requests_free(&m.reqs);
    return rc;
}

/* ------------------------------------------------------------------ without CUDA */

#ifndef HAVE_CUDA
static void no_cuda(struct gx_ceil_curve *c)
{
    if (c->n)
        snprintf(c->absent, sizeof c->absent, "built without CUDA");
}

void gx_cal_gpu_busid(const struct gx_job *job, char *buf, size_t len)
{
    (void)job, (void)len;
    buf[0] = '\0';
}

void gx_cal_copies(const struct gx_job *job, struct gx_ceil_curve *h2d,
                   struct gx_ceil_curve *d2h)
{
    (void)job;
    no_cuda(h2d);
    no_cuda(d2h);
}

void gx_cal_peer(const struct gx_job *job, int peer, const char *peer_busid,
                 struct gx_ceil_curve *uni, struct gx_ceil_curve *bi)
{
    (void)job, (void)peer, (void)peer_busid;
    no_cuda(uni);
    no_cuda(bi);
}
#endif

/* ------------------------------------------------------------------ the tasks */

static int task_copies(const struct gx_job *job, struct plan *p, int g,
                       struct gx_ceilings *all, struct gx_err *err)
{
    struct gx_ceil_curve c[2];
    int rc = curve_init(&c[0], GX_CEIL_H2D, g, -1, &p->sets[SET_COPY], err);
    if (rc == GX_OK)
        rc = curve_init(&c[1], GX_CEIL_D2H, g, -1, &p->sets[SET_COPY], err);
    if (rc == GX_OK) {
        char what[64];
        snprintf(what, sizeof what, "H2D and D2H copies of rank %d's GPU", g);
        arm(job, p, what, g, -1, c, 2);
        if (job->rank == g)
            gx_cal_copies(job, &c[0], &c[1]);
        rc = end_task(job, g, c, 2, all, err);
    }
    curves_free(c, 2);
    return rc;
}

static int task_peer(const struct gx_job *job, struct plan *p, const struct cal_pair *pr,
                     const char (*busids)[BUSID_LEN], struct gx_ceilings *all,
                     struct gx_err *err)
{
    struct gx_ceil_curve c[2];
    int rc = curve_init(&c[0], GX_CEIL_PEER, pr->a, pr->b, &p->sets[SET_PEER], err);
    if (rc == GX_OK)
        rc = curve_init(&c[1], GX_CEIL_PEER_BIDIR, pr->a, pr->b, &p->sets[SET_PEER_BI], err);
    if (rc == GX_OK && job->node_of[pr->a] != job->node_of[pr->b]) {
        /* Nothing to measure: rank 0 records why. */
        for (int k = 0; k < 2 && rc == GX_OK && job->rank == 0; k++) {
            if (c[k].n)
                snprintf(c[k].absent, sizeof c[k].absent, "ranks %d and %d are on different "
                         "nodes", pr->a, pr->b);
            rc = ship(job, 0, &c[k], all, err);
        }
    } else if (rc == GX_OK) {
        char what[64];
        snprintf(what, sizeof what, "peer copies %d->%d", pr->a, pr->b);
        arm(job, p, what, pr->a, pr->b, c, 2);
        if (job->rank == pr->a)
            gx_cal_peer(job, pr->b, busids[pr->b], &c[0], &c[1]);
        rc = end_task(job, pr->a, c, 2, all, err);
    }
    curves_free(c, 2);
    return rc;
}

static int task_mpi(const struct gx_job *job, struct plan *p, const struct cal_pair *pr,
                    struct gx_ceilings *all, struct gx_err *err)
{
    struct gx_ceil_curve c[3];
    memset(c, 0, sizeof c);
    int rc = curve_init(&c[0], GX_CEIL_MPI_BW, pr->a, pr->b, &p->sets[SET_MPI], err);
    if (rc == GX_OK)
        rc = curve_init(&c[1], GX_CEIL_MPI_BIBW, pr->a, pr->b, &p->sets[SET_MPI_BI], err);
    if (rc == GX_OK)
        rc = curve_init(&c[2], GX_CEIL_MPI_LAT, pr->a, pr->b, &p->sets[SET_LAT], err);
    if (rc == GX_OK) {
        char what[64];
        snprintf(what, sizeof what, "MPI host to host %d->%d", pr->a, pr->b);
        arm(job, p, what, pr->a, pr->b, c, 3);
        if (pr->a == pr->b) {
            for (int k = 0; k < 3; k++)
                snprintf(c[k].absent, sizeof c[k].absent, "a rank with itself");
        } else if (job->rank == pr->a || job->rank == pr->b) {
            rc = mpi_pair(job, pr->a, pr->b, c, err);
        }
        if (rc == GX_OK)
            rc = end_task(job, pr->a, c, 3, all, err);
    }
    curves_free(c, 3);
    return rc;
}

/* How many tasks run_tasks will run, for the progress line. */
static int count_tasks(const struct gx_job *job, const struct plan *p)
{
    int n = 0;
    for (int g = 0; p->sets[SET_COPY].n && g < job->size; g++)
        n += p->copy_rank[g] != 0;
    for (int i = 0; i < p->npairs; i++) {
        n += (p->pairs[i].need & GX_CAL_PEER) && (p->sets[SET_PEER].n || p->sets[SET_PEER_BI].n);
        n += (p->pairs[i].need & GX_CAL_MPI) &&
             (p->sets[SET_MPI].n || p->sets[SET_MPI_BI].n || p->sets[SET_LAT].n);
    }
    return n;
}

static int run_tasks(const struct gx_job *job, struct plan *p, struct gx_ceilings *all,
                     struct gx_err *err)
{
    p->ntasks = count_tasks(job, p);
    if (p->sets[SET_COPY].n)
        for (int g = 0; g < job->size; g++)
            if (p->copy_rank[g])
                GX_TRY(task_copies(job, p, g, all, err));
    if ((p->need & GX_CAL_PEER) && (p->sets[SET_PEER].n || p->sets[SET_PEER_BI].n)) {
        char(*busids)[BUSID_LEN] = calloc((size_t)job->size, BUSID_LEN);
        char mine[BUSID_LEN];
        if (!busids)
            return gx_fail(err, GX_ERUNTIME, "out of host memory for the GPUs' bus ids");
        gx_cal_gpu_busid(job, mine, sizeof mine);
        int rc = MPI_Allgather(mine, BUSID_LEN, MPI_CHAR, busids, BUSID_LEN, MPI_CHAR, job->comm);
        if (rc != MPI_SUCCESS)
            rc = gx_fail_mpi(err, rc, "MPI_Allgather", __FILE__, __LINE__);
        for (int i = 0; i < p->npairs && rc == GX_OK; i++)
            if (p->pairs[i].need & GX_CAL_PEER)
                rc = task_peer(job, p, &p->pairs[i], (const char(*)[BUSID_LEN])busids, all, err);
        free(busids);
        GX_TRY(rc);
    }
    if (p->sets[SET_MPI].n || p->sets[SET_MPI_BI].n || p->sets[SET_LAT].n)
        for (int i = 0; i < p->npairs; i++)
            if (p->pairs[i].need & GX_CAL_MPI)
                GX_TRY(task_mpi(job, p, &p->pairs[i], all, err));
    return GX_OK;
}

int gx_calibrate(const struct gx_job *job, const struct gx_options *o,
                 const struct gx_mplan *mp, struct gx_sink *sink, struct gx_ceilings **out,
                 struct gx_err *err)
{
    *out = NULL;
    int on = 0;
    for (int r = 0; r < o->nruns; r++)
        on |= o->runs[r].calibrate;
    if (!on)
        return GX_OK;
    struct plan p;
    struct gx_ceilings *all = job->rank == 0 ? calloc(1, sizeof *all) : NULL;
    int rc = job->rank == 0 && !all
                 ? gx_fail(err, GX_ERUNTIME, "out of host memory for the ceilings")
                 : GX_OK;
    rc = gx_agree(job->comm, rc, err);
    if (rc == GX_OK)
        rc = plan_make(job, o, mp, &p, err);
    else
        memset(&p, 0, sizeof p);
    p.out = &sink->out;
    double t0 = MPI_Wtime();
    if (rc == GX_OK)
        rc = run_tasks(job, &p, all, err);
    plan_free(&p);
    if (rc == GX_OK && job->rank == 0) {
        all->seconds = MPI_Wtime() - t0;
        rc = gx_sink_calibration(sink, all, err);
    }
    if (rc != GX_OK) {
        gx_ceilings_free(all);
        free(all);
        return rc;
    }
    *out = all;
    return GX_OK;
}
