#include "config.h"
#include "ceiling.h"

#include "result.h"
#include "sizes.h"

#include <stdlib.h>
#include <string.h>

const char *gx_ceil_kind_name(enum gx_ceil_kind k)
{
    static const char *const names[GX_CEIL_KINDS] = {
        [GX_CEIL_H2D] = "h2d",         [GX_CEIL_D2H] = "d2h",
        [GX_CEIL_PEER] = "peer",       [GX_CEIL_PEER_BIDIR] = "peer_bidir",
        [GX_CEIL_MPI_BW] = "mpi_bw",   [GX_CEIL_MPI_BIBW] = "mpi_bibw",
        [GX_CEIL_MPI_LAT] = "mpi_latency",
        [GX_CEIL_MAPPED_WRITE] = "mapped_write",
        [GX_CEIL_MAPPED_READ] = "mapped_read",
        [GX_CEIL_PREFETCH_HOST] = "prefetch_to_host",
        [GX_CEIL_PREFETCH_GPU] = "prefetch_to_gpu",
        [GX_CEIL_FAULT_IN] = "fault_in",
        [GX_CEIL_COPY_BIDIR] = "copy_bidir",
        [GX_CEIL_MAPPED_BIDIR] = "mapped_bidir",
        [GX_CEIL_MPI_MANAGED_BW] = "mpi_managed_bw",
        [GX_CEIL_MPI_MANAGED_BIBW] = "mpi_managed_bibw",
        [GX_CEIL_MPI_MIGRATED_BW] = "mpi_migrated_bw",
        [GX_CEIL_MPI_MIGRATED_BIBW] = "mpi_migrated_bibw",
        [GX_CEIL_MPI_PINNED_BW] = "mpi_pinned_bw",
        [GX_CEIL_MPI_PINNED_BIBW] = "mpi_pinned_bibw",
        [GX_CEIL_MPI_PINNED_LAT] = "mpi_pinned_latency",
    };
    return k >= 0 && k < GX_CEIL_KINDS ? names[k] : "?";
}

const char *gx_ceil_kind_unit(enum gx_ceil_kind k)
{
    return gx_ceil_kind_latency(k) ? "us" : "GB/s";
}

int gx_ceil_kind_latency(enum gx_ceil_kind k)
{
    return k == GX_CEIL_MPI_LAT || k == GX_CEIL_MPI_PINNED_LAT;
}

int gx_ceil_kind_per_gpu(enum gx_ceil_kind k)
{
    return k == GX_CEIL_H2D || k == GX_CEIL_D2H || k == GX_CEIL_MAPPED_WRITE ||
           k == GX_CEIL_MAPPED_READ || k == GX_CEIL_PREFETCH_HOST || k == GX_CEIL_PREFETCH_GPU ||
           k == GX_CEIL_FAULT_IN || k == GX_CEIL_COPY_BIDIR || k == GX_CEIL_MAPPED_BIDIR;
}

int gx_ceilings_add(struct gx_ceilings *c, const struct gx_ceil_curve *curve,
                    const struct gx_ceil_point *pts, struct gx_err *err)
{
    struct gx_ceil_curve *grown = gx_grow(c->curves, &c->cap, (size_t)c->n, 8, sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the ceilings");
    c->curves = grown;
    struct gx_ceil_curve *dst = &c->curves[c->n];
    *dst = *curve;
    dst->pts = NULL;
    if (curve->n > 0) {
        dst->pts = malloc((size_t)curve->n * sizeof *dst->pts);
        if (!dst->pts)
            return gx_fail(err, GX_ERUNTIME, "out of host memory for the ceilings");
        memcpy(dst->pts, pts, (size_t)curve->n * sizeof *dst->pts);
    }
    c->n++;
    return GX_OK;
}

void gx_ceilings_free(struct gx_ceilings *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        free(c->curves[i].pts);
    free(c->curves);
    memset(c, 0, sizeof *c);
}

const struct gx_ceil_curve *gx_ceil_find(const struct gx_ceilings *c, enum gx_ceil_kind kind,
                                         int a, int b)
{
    for (int i = 0; c && i < c->n; i++) {
        const struct gx_ceil_curve *k = &c->curves[i];
        if (k->kind == (int)kind && k->a == a && k->b == b)
            return k;
    }
    return NULL;
}

static void who(enum gx_ceil_kind kind, int a, int b, char *buf, size_t len)
{
    if (b < 0)
        snprintf(buf, len, "%s of rank %d's GPU", gx_ceil_kind_name(kind), a);
    else
        snprintf(buf, len, "%s %d->%d", gx_ceil_kind_name(kind), a, b);
}

/* The point of a curve at exactly `size`, or NULL with the reason in why. */
static const struct gx_ceil_point *point_at(const struct gx_ceilings *c, enum gx_ceil_kind kind,
                                            int a, int b, size_t size, char *why, size_t len)
{
    char name[64];
    who(kind, a, b, name, sizeof name);
    const struct gx_ceil_curve *k = gx_ceil_find(c, kind, a, b);
    if (!k) {
        snprintf(why, len, "%s was not calibrated", name);
        return NULL;
    }
    if (k->absent[0]) {
        snprintf(why, len, "%s absent: %s", name, k->absent);
        return NULL;
    }
    for (int i = 0; i < k->n; i++) {
        const struct gx_ceil_point *p = &k->pts[i];
        if (p->size != size)
            continue;
        if (p->repeats > 0 && p->median > 0)
            return p;
        snprintf(why, len, "%s absent at %zu bytes: %s", name, size, p->absent);
        return NULL;
    }
    snprintf(why, len, "%s was not calibrated at %zu bytes", name, size);
    return NULL;
}

int gx_ceil_point_widen(struct gx_ceilings *c, int kind, int a, int b, size_t size,
                        const struct gx_ceil_point *again)
{
    if (!again || again->repeats <= 0 || !(again->median > 0))
        return 0;
    /* The curve is c's own: finding it through the const lookup takes nothing away. */
    struct gx_ceil_curve *k = (struct gx_ceil_curve *)gx_ceil_find(c, (enum gx_ceil_kind)kind, a, b);
    for (int j = 0; k && j < k->n; j++) {
        struct gx_ceil_point *p = &k->pts[j];
        if (p->size != size || p->repeats <= 0)
            continue;
        int lat = gx_ceil_kind_latency((enum gx_ceil_kind)kind);
        if (lat ? again->median < p->median : again->median > p->median)
            p->median = again->median;
        p->min = again->min < p->min ? again->min : p->min;
        p->max = again->max > p->max ? again->max : p->max;
        p->repeats += again->repeats;
        p->rechecked += again->repeats;
        return 1;
    }
    return 0;
}

double gx_ceil_value(const struct gx_ceilings *c, enum gx_ceil_kind kind, int a, int b,
                     size_t size, char *why, size_t len)
{
    const struct gx_ceil_point *p = point_at(c, kind, a, b, size, why, len);
    return p ? p->median : 0;
}

double gx_ceil_slowest(const struct gx_ceilings *c, const struct gx_ceil_stage *stages, int n,
                       size_t size, char *what, size_t len, struct gx_ceil_range *range)
{
    double best = 0;
    int slowest = -1;
    for (int i = 0; i < n; i++) {
        const struct gx_ceil_point *p =
            point_at(c, stages[i].kind, stages[i].a, stages[i].b, size, what, len);
        if (!p)
            return 0; /* an unknown stage could be the slowest: no ceiling rather than a wrong one */
        double scale = stages[i].scale > 0 ? stages[i].scale : 1, v = p->median * scale;
        /* Latency: the slowest stage is the largest time; bandwidth: the smallest rate. */
        int slower = gx_ceil_kind_latency(stages[i].kind) ? v > best : v < best;
        if (slowest < 0 || slower) {
            best = v;
            slowest = i;
            if (range)
                *range = (struct gx_ceil_range){p->min * scale, p->max * scale, p->repeats,
                                                stages[i].kind, stages[i].a, stages[i].b, size};
        }
    }
    if (slowest < 0) {
        snprintf(what, len, "no stage to bound");
        return 0;
    }
    char s[32];
    gx_format_size(size, s, sizeof s);
    snprintf(what, len, "%s%s at %s", n > 1 ? "slowest stage: " : "", stages[slowest].name, s);
    return best;
}

size_t gx_ceil_chunk(const struct gx_result *res)
{
    return res->chunk == 0 || res->chunk > res->size ? res->size : res->chunk;
}

const struct gx_bound_rule *gx_bound_rule(const struct gx_bounds bounds[GX_FAMILY_COUNT],
                                          int family, unsigned holds)
{
    if (family < 0 || family >= GX_FAMILY_COUNT)
        return NULL;
    for (int i = 0; i < bounds[family].n; i++)
        if ((bounds[family].rules[i].when & holds) == bounds[family].rules[i].when)
            return &bounds[family].rules[i];
    return NULL;
}
