#include "config.h"
#include "ceiling.h"

#include "sizes.h"

#include <stdlib.h>
#include <string.h>

const char *gx_ceil_kind_name(enum gx_ceil_kind k)
{
    static const char *const names[GX_CEIL_KINDS] = {
        [GX_CEIL_SHM_COPY] = "shm_copy",       [GX_CEIL_SHM_COPY_BIDIR] = "shm_copy_bidir",
        [GX_CEIL_SHM_LAT] = "shm_latency",     [GX_CEIL_PEER] = "peer",
        [GX_CEIL_PEER_BIDIR] = "peer_bidir",   [GX_CEIL_COPY] = "copy_engines",
        [GX_CEIL_COPY_BIDIR] = "copy_engines_bidir",
        [GX_CEIL_MAPPED] = "mapped",           [GX_CEIL_MAPPED_BIDIR] = "mapped_bidir",
        [GX_CEIL_PREFETCH] = "prefetch",       [GX_CEIL_PREFETCH_BIDIR] = "prefetch_bidir",
        [GX_CEIL_FAULTS] = "faults",           [GX_CEIL_FAULTS_BIDIR] = "faults_bidir",
        [GX_CEIL_SENDER_D2H] = "sender_d2h",
        [GX_CEIL_H2D] = "host_to_device",      [GX_CEIL_D2H] = "device_to_host",
    };
    return k >= 0 && k < GX_CEIL_KINDS ? names[k] : "?";
}

const char *gx_ceil_kind_unit(enum gx_ceil_kind k)
{
    return gx_ceil_kind_latency(k) ? "us" : "GB/s";
}

int gx_ceil_kind_latency(enum gx_ceil_kind k)
{
    return k == GX_CEIL_SHM_LAT;
}

size_t gx_ceil_measured_size(enum gx_ceil_kind kind, size_t size)
{
    int host_rate = kind == GX_CEIL_SHM_COPY || kind == GX_CEIL_SHM_COPY_BIDIR;
    return host_rate && size > GX_CEIL_HOST_RATE_MAX ? GX_CEIL_HOST_RATE_MAX : size;
}

static uint64_t curve_hash(int kind, int a, int b)
{
    uint64_t h = ((uint64_t)(uint32_t)kind * 0x9E3779B97F4A7C15u) ^
                 ((uint64_t)(uint32_t)a << 32 | (uint32_t)b);
    h *= 0xBF58476D1CE4E5B9u;
    return h ^ h >> 31;
}

static uint64_t hash_of(const void *curves, size_t i)
{
    const struct gx_ceil_curve *k = (const struct gx_ceil_curve *)curves + i;
    return curve_hash(k->kind, k->a, k->b);
}

/* Rank 0 holds a point per result and a curve per pair and probe for the whole run. */
_Static_assert(sizeof(struct gx_ceil_point) <= 112, "a ceiling's point stays small");
_Static_assert(sizeof(struct gx_ceil_curve) <= 48, "a ceiling's curve stays small");

static const char *text_of(const struct gx_ceilings *c, gx_sid s)
{
    const char *t = gx_strpool_get(&c->texts, s, NULL);
    return t ? t : "";
}

const char *gx_ceil_curve_what(const struct gx_ceilings *c, const struct gx_ceil_curve *k)
{
    return text_of(c, k->what);
}

const char *gx_ceil_curve_absent(const struct gx_ceilings *c, const struct gx_ceil_curve *k)
{
    return text_of(c, k->absent);
}

const char *gx_ceil_point_absent(const struct gx_ceilings *c, const struct gx_ceil_point *p)
{
    return text_of(c, p->absent);
}

static int intern(struct gx_ceilings *c, const char *text, gx_sid *sid, struct gx_err *err)
{
    *sid = GX_SID_NONE;
    if (!text || !text[0])
        return GX_OK;
    *sid = gx_strpool_add(&c->texts, text, strnlen(text, GX_CEIL_TEXT - 1));
    return *sid != GX_SID_NONE ? GX_OK
                               : gx_fail(err, GX_ERUNTIME, "out of host memory for the ceilings");
}

static int add_curve(struct gx_ceilings *c, const struct gx_ceil_curve *curve,
                     const struct gx_ceil_point *pts, struct gx_err *err)
{
    if (gx_slots_reserve(&c->index, (size_t)c->n, hash_of, c->curves) != 0)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the ceilings");
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
    gx_slots_put(&c->index, hash_of(c->curves, (size_t)c->n), (size_t)c->n);
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
    gx_slots_free(&c->index);
    gx_strpool_free(&c->texts);
    memset(c, 0, sizeof *c);
}

int gx_ceilings_copy(struct gx_ceilings *dst, const struct gx_ceilings *src, struct gx_err *err)
{
    dst->seconds = src->seconds;
    /* The same entries in the same order: the curves' and points' texts name the same ones. */
    if (gx_strpool_copy(&dst->texts, &src->texts) != 0)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the ceilings");
    gx_strpool_trim(&dst->texts); /* a copy (the report's) is read, seldom added to */
    for (int i = 0; i < src->n; i++)
        GX_TRY(add_curve(dst, &src->curves[i], src->curves[i].pts, err));
    return GX_OK;
}

static int better(enum gx_ceil_kind kind, const struct gx_ceil_point *pt,
                  const struct gx_ceil_point *old)
{
    if (pt->iters <= 0)
        return old->iters <= 0 && old->absent == GX_SID_NONE;
    if (old->iters <= 0)
        return 1;
    /* A later visit's point holds the earlier ones' iterations: a point of fewer must beat it. */
    int lat = gx_ceil_kind_latency(kind);
    if (pt->iters > old->iters && (lat ? pt->best <= old->best : pt->best >= old->best))
        return 1;
    return lat ? pt->best < old->best : pt->best > old->best;
}

int gx_ceilings_put(struct gx_ceilings *c, enum gx_ceil_kind kind, int a, int b,
                    const char *what, const struct gx_ceil_point *pt, const char *absent,
                    struct gx_err *err)
{
    struct gx_ceil_curve *k = (struct gx_ceil_curve *)gx_ceil_find(c, kind, a, b);
    if (!k) {
        struct gx_ceil_curve fresh = {.kind = kind, .a = a, .b = b, .absent = GX_SID_NONE};
        GX_TRY(intern(c, what, &fresh.what, err));
        GX_TRY(add_curve(c, &fresh, NULL, err));
        k = &c->curves[c->n - 1];
    }
    struct gx_ceil_point p = *pt;
    GX_TRY(intern(c, absent, &p.absent, err));
    int i = 0;
    while (i < k->n && k->pts[i].size < p.size)
        i++;
    if (i < k->n && k->pts[i].size == p.size) {
        if (better(kind, &p, &k->pts[i]))
            k->pts[i] = p;
        return GX_OK;
    }
    struct gx_ceil_point *grown = realloc(k->pts, ((size_t)k->n + 1) * sizeof *grown);
    if (!grown)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the ceilings");
    k->pts = grown;
    memmove(k->pts + i + 1, k->pts + i, ((size_t)k->n - (size_t)i) * sizeof *k->pts);
    k->pts[i] = p;
    k->n++;
    return GX_OK;
}

const struct gx_ceil_curve *gx_ceil_find(const struct gx_ceilings *c, enum gx_ceil_kind kind,
                                         int a, int b)
{
    if (!c)
        return NULL;
    uint64_t h = curve_hash(kind, a, b);
    size_t i;
    for (long at = gx_slots_first(&c->index, h, &i); at >= 0;
         at = gx_slots_next(&c->index, at, &i)) {
        const struct gx_ceil_curve *k = &c->curves[i];
        if (k->kind == (int)kind && k->a == a && k->b == b)
            return k;
    }
    return NULL;
}

static void who(enum gx_ceil_kind kind, int a, int b, char *buf, size_t len)
{
    snprintf(buf, len, "%s %d->%d", gx_ceil_kind_name(kind), a, b);
}

static const struct gx_ceil_point *point_at(const struct gx_ceilings *c, enum gx_ceil_kind kind,
                                            int a, int b, size_t size, char *why, size_t len)
{
    char name[64];
    who(kind, a, b, name, sizeof name);
    const struct gx_ceil_curve *k = gx_ceil_find(c, kind, a, b);
    size = gx_ceil_measured_size(kind, size);
    if (!k) {
        snprintf(why, len, "%s was not measured", name);
        return NULL;
    }
    if (k->absent != GX_SID_NONE) {
        snprintf(why, len, "%s absent: %s", name, gx_ceil_curve_absent(c, k));
        return NULL;
    }
    for (int i = 0; i < k->n; i++) {
        const struct gx_ceil_point *p = &k->pts[i];
        if (p->size != size)
            continue;
        if (p->iters > 0 && p->best > 0)
            return p;
        snprintf(why, len, "%s absent at %zu bytes: %s", name, size, gx_ceil_point_absent(c, p));
        return NULL;
    }
    snprintf(why, len, "%s was not measured at %zu bytes", name, size);
    return NULL;
}

double gx_ceil_value(const struct gx_ceilings *c, enum gx_ceil_kind kind, int a, int b,
                     size_t size, char *why, size_t len)
{
    const struct gx_ceil_point *p = point_at(c, kind, a, b, size, why, len);
    return p ? p->best : 0;
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
            return 0; /* an unknown stage could be the slowest: no ceiling, not a wrong one */
        double v = p->best;
        int slower = gx_ceil_kind_latency(stages[i].kind) ? v > best : v < best;
        if (slowest < 0 || slower) {
            best = v;
            slowest = i;
            if (range)
                *range = (struct gx_ceil_range){p->min, p->max, p->iters, stages[i].kind,
                                                stages[i].a, stages[i].b, (size_t)p->size};
        }
    }
    if (slowest < 0) {
        snprintf(what, len, "no stage to bound");
        return 0;
    }
    char s[32];
    gx_format_size(gx_ceil_measured_size(stages[slowest].kind, size), s, sizeof s);
    snprintf(what, len, "%s%s at %s", n > 1 ? "slowest stage: " : "", stages[slowest].name, s);
    return best;
}

static double point_time(enum gx_ceil_kind kind, const struct gx_ceil_point *p)
{
    return gx_ceil_kind_latency(kind) ? p->best : (double)p->size / p->best;
}

/* Whether the machine disturbed the probe's step more than the result's (waits, a slow tail). */
static int noisier(const struct gx_noise *probe, const struct gx_noise *result)
{
    unsigned marks = probe->marks & (GX_NOISE_WAITED | GX_NOISE_TAIL);
    unsigned only = marks & ~result->marks, both = marks & result->marks;
    return only != 0 || (both & GX_NOISE_WAITED && probe->cpu_wait > result->cpu_wait) ||
           (both & GX_NOISE_TAIL && probe->tail > result->tail);
}

int gx_ceil_unsound(const struct gx_ceilings *c, const struct gx_ceil_range *at,
                    const struct gx_noise *result, char *why, size_t len)
{
    const struct gx_ceil_curve *k = gx_ceil_find(c, (enum gx_ceil_kind)at->kind, at->a, at->b);
    if (!k)
        return 0;
    const struct gx_ceil_point *p = NULL;
    int i = 0;
    for (; i < k->n && !p; i++)
        if (k->pts[i].size == at->size && k->pts[i].iters > 0 && k->pts[i].best > 0)
            p = &k->pts[i];
    if (!p)
        return 0;
    char name[64], s[32];
    who((enum gx_ceil_kind)k->kind, k->a, k->b, name, sizeof name);
    gx_format_size(p->size, s, sizeof s);
    double t = point_time((enum gx_ceil_kind)k->kind, p);
    for (int j = i; j < k->n; j++) {
        const struct gx_ceil_point *q = &k->pts[j];
        if (q->iters <= 0 || q->best <= 0 || q->size <= p->size)
            continue;
        double tq = point_time((enum gx_ceil_kind)k->kind, q);
        if (tq * GX_CEIL_SLACK < t) {
            char qs[32];
            gx_format_size(q->size, qs, sizeof qs);
            snprintf(why, len, "ceiling unsound: %s at %s (best %.4g %s) took %.1fx as long as "
                     "at %s (best %.4g %s): the machine slowed every iteration of its probe",
                     name, s, p->best, gx_ceil_kind_unit((enum gx_ceil_kind)k->kind), t / tq, qs,
                     q->best, gx_ceil_kind_unit((enum gx_ceil_kind)k->kind));
            return 1;
        }
    }
    if (noisier(&p->noise, result)) {
        char what[160];
        struct gx_noise counted = p->noise; /* the marks that made it no bound, no others */
        counted.marks &= GX_NOISE_WAITED | GX_NOISE_TAIL;
        gx_noise_why(&counted, what, sizeof what);
        snprintf(why, len, "ceiling unsound: %s at %s was disturbed more than the result (%s)",
                 name, s, what);
        return 1;
    }
    return 0;
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
