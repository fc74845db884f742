/* Calibration: the tasks of its plan (calib_plan.c) one after another, and every curve gathered
 * to rank 0 and handed to the sink. The measurements are in calibrate_mpi.c (MPI host to host),
 * calibrate_cuda.c (copies, kernels on mapped host memory) and calibrate_managed.c (managed
 * memory). */
#include "config.h"
#include "calibrate.h"

#include "calib_plan.h"
#include "sink.h"
#include "stats.h"
#include "watchdog.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GX_TAG_CAL_CURVE 150
#define GX_TAG_CAL_POINTS 151
#define BUSID_LEN 32

/* ------------------------------------------------------------------ helpers */

size_t gx_cal_host_limit(const struct gx_job *job)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return (size_t)1 << 40;
    double quarter = (double)pages * (double)page / 4 / (job->local_size > 0 ? job->local_size : 1);
    return (size_t)quarter;
}

int gx_cal_copies_for(size_t size)
{
    size_t c = size ? (GX_CAL_TARGET_BYTES + size - 1) / size : 1;
    return c > GX_CAL_MAX_COPIES ? GX_CAL_MAX_COPIES : c < 1 ? 1 : (int)c;
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
                      const struct gx_size_set *s, struct gx_err *err)
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
static void arm(const struct gx_job *job, struct gx_cal_plan *p, const char *what, int a, int b,
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

/* ------------------------------------------------------------------ without CUDA */

#ifndef HAVE_CUDA
static void no_cuda(struct gx_ceil_curve *c, int n)
{
    for (int i = 0; i < n; i++)
        if (c[i].n)
            snprintf(c[i].absent, sizeof c[i].absent, "built without CUDA");
}

void gx_cal_gpu_busid(const struct gx_job *job, char *buf, size_t len)
{
    (void)job, (void)len;
    buf[0] = '\0';
}

void gx_cal_copies(const struct gx_job *job, struct gx_ceil_curve c[3])
{
    (void)job;
    no_cuda(c, 3);
}

void gx_cal_mapped(const struct gx_job *job, struct gx_ceil_curve c[3])
{
    (void)job;
    no_cuda(c, 3);
}

void gx_cal_managed(const struct gx_job *job, struct gx_ceil_curve c[3])
{
    (void)job;
    no_cuda(c, 3);
}

int gx_cal_managed_as_moved(void *buf, size_t n, int gpu, int sent, int *no_discard,
                            struct gx_err *err)
{
    (void)buf, (void)n, (void)gpu, (void)sent, (void)no_discard;
    return gx_fail(err, GX_ESKIP, "built without CUDA");
}

void gx_cal_peer(const struct gx_job *job, int peer, const char *peer_busid,
                 struct gx_ceil_curve *uni, struct gx_ceil_curve *bi)
{
    (void)job, (void)peer, (void)peer_busid;
    no_cuda(uni, 1);
    no_cuda(bi, 1);
}
#endif

/* ------------------------------------------------------------------ the tasks */

/* A task's curves for (a, b), one point per size of each curve's set. */
static int curves_init(struct gx_ceil_curve c[GX_CAL_MAX_CURVES], const struct gx_cal_task *t,
                       int a, int b, const struct gx_cal_plan *p, struct gx_err *err)
{
    memset(c, 0, GX_CAL_MAX_CURVES * sizeof *c);
    for (int k = 0; k < t->ncurves; k++)
        GX_TRY(curve_init(&c[k], t->kinds[k], a, b, &p->sets[t->sets[k]], err));
    return GX_OK;
}

/* One per-GPU task of rank g's GPU. */
static int task_gpu(const struct gx_job *job, struct gx_cal_plan *p, const struct gx_cal_task *t,
                    int g, struct gx_ceilings *all, struct gx_err *err)
{
    struct gx_ceil_curve c[GX_CAL_MAX_CURVES];
    int rc = curves_init(c, t, g, -1, p, err);
    if (rc == GX_OK) {
        char what[96];
        snprintf(what, sizeof what, "%s of rank %d's GPU", t->what, g);
        arm(job, p, what, g, -1, c, t->ncurves);
        if (job->rank == g && t->task == GX_CAL_COPY)
            gx_cal_copies(job, c);
        else if (job->rank == g && t->task == GX_CAL_MAPPED)
            gx_cal_mapped(job, c);
        else if (job->rank == g && t->task == GX_CAL_MANAGED)
            gx_cal_managed(job, c);
        rc = end_task(job, g, c, t->ncurves, all, err);
    }
    curves_free(c, t->ncurves);
    return rc;
}

static int task_peer(const struct gx_job *job, struct gx_cal_plan *p, const struct gx_cal_pair *pr,
                     const char (*busids)[BUSID_LEN], struct gx_ceilings *all,
                     struct gx_err *err)
{
    const struct gx_cal_task *t = gx_cal_task(GX_CAL_PEER);
    struct gx_ceil_curve c[GX_CAL_MAX_CURVES];
    int rc = curves_init(c, t, pr->a, pr->b, p, err);
    if (rc == GX_OK && job->node_of[pr->a] != job->node_of[pr->b]) {
        /* Nothing to measure: rank 0 records why. */
        for (int k = 0; k < t->ncurves && rc == GX_OK && job->rank == 0; k++) {
            if (c[k].n)
                snprintf(c[k].absent, sizeof c[k].absent, "ranks %d and %d are on different "
                         "nodes", pr->a, pr->b);
            rc = ship(job, 0, &c[k], all, err);
        }
    } else if (rc == GX_OK) {
        char what[64];
        snprintf(what, sizeof what, "peer copies %d->%d", pr->a, pr->b);
        arm(job, p, what, pr->a, pr->b, c, t->ncurves);
        if (job->rank == pr->a)
            gx_cal_peer(job, pr->b, busids[pr->b], &c[0], &c[1]);
        rc = end_task(job, pr->a, c, t->ncurves, all, err);
    }
    curves_free(c, t->ncurves);
    return rc;
}

static int task_mpi(const struct gx_job *job, struct gx_cal_plan *p, const struct gx_cal_pair *pr,
                    struct gx_ceilings *all, struct gx_err *err)
{
    const struct gx_cal_task *t = gx_cal_task(GX_CAL_MPI);
    struct gx_ceil_curve c[GX_CAL_MAX_CURVES];
    int rc = curves_init(c, t, pr->a, pr->b, p, err);
    if (rc == GX_OK) {
        char what[64];
        snprintf(what, sizeof what, "MPI host to host %d->%d", pr->a, pr->b);
        arm(job, p, what, pr->a, pr->b, c, t->ncurves);
        if (pr->a == pr->b) {
            for (int k = 0; k < t->ncurves; k++)
                snprintf(c[k].absent, sizeof c[k].absent, "a rank with itself");
        } else if (job->rank == pr->a || job->rank == pr->b) {
            rc = gx_cal_mpi_pair(job, pr->a, pr->b, c, err);
        }
        if (rc == GX_OK)
            rc = end_task(job, pr->a, c, t->ncurves, all, err);
    }
    curves_free(c, t->ncurves);
    return rc;
}

static int run_tasks(const struct gx_job *job, struct gx_cal_plan *p, struct gx_ceilings *all,
                     struct gx_err *err)
{
    p->ntasks = gx_cal_plan_tasks(job, p);
    for (int t = 0; t < GX_CAL_GPU_TASKS; t++)
        for (int g = 0; gx_cal_task_sized(p, &gx_cal_tasks[t]) && g < job->size; g++)
            if (p->gpu_need[g] & gx_cal_tasks[t].task)
                GX_TRY(task_gpu(job, p, &gx_cal_tasks[t], g, all, err));
    if ((p->need & GX_CAL_PEER) && gx_cal_task_sized(p, gx_cal_task(GX_CAL_PEER))) {
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
    if (gx_cal_task_sized(p, gx_cal_task(GX_CAL_MPI)))
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
    struct gx_cal_plan p;
    struct gx_ceilings *all = job->rank == 0 ? calloc(1, sizeof *all) : NULL;
    int rc = job->rank == 0 && !all
                 ? gx_fail(err, GX_ERUNTIME, "out of host memory for the ceilings")
                 : GX_OK;
    rc = gx_agree(job->comm, rc, err);
    if (rc == GX_OK)
        rc = gx_cal_plan_make(job, o, mp, &p, err);
    else
        memset(&p, 0, sizeof p);
    p.out = &sink->out;
    double t0 = MPI_Wtime();
    if (rc == GX_OK)
        rc = run_tasks(job, &p, all, err);
    gx_cal_plan_free(&p);
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
