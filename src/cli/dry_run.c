/* --dry-run's view of this job: what its filters will skip, and host memory's pace measured. */
#include "config.h"
#include "dry_run.h"

#include "gpu.h"
#include "mem.h"
#include "path.h"

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
    plan->skipped_steps =
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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
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
    qsort(t, (size_t)x->samples, sizeof t[0], cmp_double);
    qsort(d, (size_t)x->samples - 1, sizeof d[0], cmp_double);
    double median = t[x->samples / 2];
    *seconds = median;
    *cv = median > 0 ? d[(x->samples - 1) / 2] / 0.954 / median : 0;
    return rc;
}

/* The ceiling probes copy through shared memory themselves: a copy's pace, of halves of `bytes`
 * each way in turn, `copies` times: beyond the caches, or within them as a probe's window
 * copies one message again and again. The best of three: a copy is not waiting on the other
 * rank, and a slower one was descheduled. */
static double copy_gbps(char *buf, size_t bytes, int copies)
{
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = MPI_Wtime();
        for (int i = 0; i < copies; i++)
            memcpy(buf + (i % 2 ? 0 : bytes / 2), buf + (i % 2 ? bytes / 2 : 0), bytes / 2);
        double t = MPI_Wtime() - t0;
        double gbps = t > 0 ? (double)copies * (double)(bytes / 2) / t / 1e9 : 0;
        best = gbps > best ? gbps : best;
    }
    return best;
}

/* Rank 0's and 1's: an MPI ping-pong of 8 B, a window of messages in the caches and one beyond
 * them, and one beyond them both ways at once (two copies share the memory's bandwidth), of
 * host memory (pageable, as the host path's). */
static int measure_pace(const struct gx_job *job, struct gx_measured_pace *m)
{
    static const struct exchange lat = {8, 0, 50, GX_PACE_SAMPLES, 0};
    static const struct exchange near = {GX_PACE_NEAR, GX_PACE_WINDOW, 1, GX_PACE_SAMPLES, 0};
    static const struct exchange far = {GX_PACE_FAR, 2, 1, GX_PACE_FAR_SAMPLES, 0};
    static const struct exchange both = {GX_PACE_FAR / 2, 2, 1, GX_PACE_FAR_SAMPLES, 1};
    char *buf = malloc(GX_PACE_FAR);
    if (!buf)
        return MPI_ERR_NO_MEM;
    memset(buf, 1, GX_PACE_FAR); /* its pages touched outside the timing */
    double tn = 0, tf = 0, tb = 0, cv;
    int rc = exchange_pace(job->comm, job->rank, &lat, buf, &m->us, &m->cv_small);
    if (rc == MPI_SUCCESS)
        rc = exchange_pace(job->comm, job->rank, &near, buf, &tn, &m->cv_large);
    if (rc == MPI_SUCCESS)
        rc = exchange_pace(job->comm, job->rank, &far, buf, &tf, &cv);
    if (rc == MPI_SUCCESS)
        rc = exchange_pace(job->comm, job->rank, &both, buf, &tb, &cv);
    m->copy_gbps = rc == MPI_SUCCESS ? copy_gbps(buf, GX_PACE_FAR, GX_PACE_COPIES) : 0;
    m->copy_gbps_near = rc == MPI_SUCCESS ? copy_gbps(buf, 2 * GX_PACE_NEAR, GX_PACE_NEAR_COPIES)
                                          : 0;
    free(buf);
    m->us = m->us / 2 * 1e6;
    m->gbps_near = tn > 0 ? (double)near.bytes * near.window / tn / 1e9 : 0;
    m->gbps_far = tf > 0 ? (double)far.bytes * far.window / tf / 1e9 : 0;
    m->gbps_both = tb > 0 ? (double)both.bytes * both.window / tb / 1e9 : 0;
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

int gx_dry_run_view(const struct gx_job *job, const struct gx_options *opts,
                    struct gx_mplan *plan, struct gx_err *err)
{
    /* A layout other than this job's, or fake GPUs: another machine's plan, whose GPUs, MPI and
     * host memory are not this one's. */
    if (opts->assume_nodes || opts->g.fake_gpus[0])
        return GX_OK;
    GX_TRY(mark_skips(job, opts, plan, err));
    return job->size >= 2 && gx_mplan_has_host(plan) ? measure_host_pace(job, plan, err) : GX_OK;
}
