/* The report's "ceilings": rank 0 holds them typed and makes their entries only as the report
 * is written, since a point as cJSON is several times its typed size. */
#include "config.h"
#include "report.h"

#include <errno.h>
#include <stdlib.h>

static cJSON *curve_json(const struct gx_ceilings *c, const struct gx_ceil_curve *k)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "unit", gx_ceil_kind_unit((enum gx_ceil_kind)k->kind));
    if (k->what != GX_SID_NONE)
        cJSON_AddStringToObject(o, "what", gx_ceil_curve_what(c, k));
    if (k->absent != GX_SID_NONE) {
        cJSON_AddStringToObject(o, "absent", gx_ceil_curve_absent(c, k));
        return o;
    }
    cJSON *pts = cJSON_AddArrayToObject(o, "points");
    for (int i = 0; pts && i < k->n; i++) {
        const struct gx_ceil_point *p = &k->pts[i];
        cJSON *q = gx_json_append_object(pts);
        if (!q)
            break;
        cJSON_AddNumberToObject(q, "size", (double)p->size);
        if (p->iters > 0) {
            cJSON_AddNumberToObject(q, "best", p->best);
            cJSON_AddNumberToObject(q, "median", p->median);
            cJSON_AddNumberToObject(q, "min", p->min);
            cJSON_AddNumberToObject(q, "max", p->max);
            cJSON_AddNumberToObject(q, "spread", p->median > 0 ? (p->max - p->min) / p->median : 0);
            cJSON_AddNumberToObject(q, "iterations", p->iters);
            if (p->elapsed_s > 0)
                cJSON_AddNumberToObject(q, "elapsed_s", p->elapsed_s);
            gx_noise_json(q, &p->noise);
        } else {
            cJSON_AddStringToObject(q, "absent", p->absent != GX_SID_NONE
                                                     ? gx_ceil_point_absent(c, p)
                                                     : "not measured");
        }
    }
    return o;
}

/* The curves of one class (per GPU or per pair) grouped by GPU or pair, in the order each came:
 * order[start[g]] up to order[start[g + 1]] are group g's curve indices. */
struct curve_groups {
    int *order, *start;
    int n;
};

static uint64_t pair_hash(int a, int b)
{
    uint64_t h = ((uint64_t)(uint32_t)a << 32 | (uint32_t)b) * 0x9E3779B97F4A7C15u;
    return h ^ h >> 31;
}

/* For the index's rebuild: group g's pair is its first curve's. */
struct group_keys {
    const struct gx_ceilings *c;
    const int *first;
};

static uint64_t group_hash(const void *keys, size_t g)
{
    const struct group_keys *k = keys;
    const struct gx_ceil_curve *cv = &k->c->curves[k->first[g]];
    return pair_hash(cv->a, cv->b);
}

/* Curve i's group, made when it is the first; -1 when out of memory. */
static int group_of(struct gx_slots *index, const struct group_keys *keys, int *first,
                    struct curve_groups *g, int i)
{
    const struct gx_ceil_curve *k = &keys->c->curves[i];
    uint64_t h = pair_hash(k->a, k->b);
    size_t j;
    for (long at = gx_slots_first(index, h, &j); at >= 0; at = gx_slots_next(index, at, &j)) {
        const struct gx_ceil_curve *f = &keys->c->curves[first[j]];
        if (f->a == k->a && f->b == k->b)
            return (int)j;
    }
    if (gx_slots_reserve(index, (size_t)g->n, group_hash, keys) != 0)
        return -1;
    first[g->n] = i;
    gx_slots_put(index, h, (size_t)g->n);
    return g->n++;
}

static int group_curves(const struct gx_ceilings *c, int per_gpu, struct curve_groups *g)
{
    int *gid = malloc(((size_t)c->n + 1) * sizeof *gid);
    int *first = malloc(((size_t)c->n + 1) * sizeof *first);
    struct gx_slots index = {0};
    struct group_keys keys = {c, first};
    g->order = malloc(((size_t)c->n + 1) * sizeof *g->order);
    g->start = calloc((size_t)c->n + 2, sizeof *g->start);
    g->n = 0;
    int e = gid && first && g->order && g->start ? 0 : ENOMEM;
    for (int i = 0; !e && i < c->n; i++) {
        gid[i] = -1;
        if ((c->curves[i].b < 0) != per_gpu)
            continue;
        gid[i] = group_of(&index, &keys, first, g, i);
        if (gid[i] < 0)
            e = ENOMEM;
        else
            g->start[gid[i] + 1]++;
    }
    for (int k = 0; !e && k < g->n; k++) {
        g->start[k + 1] += g->start[k];
        first[k] = g->start[k]; /* from here: the group's next place in order */
    }
    for (int i = 0; !e && i < c->n; i++)
        if (gid[i] >= 0)
            g->order[first[gid[i]]++] = i;
    gx_slots_free(&index);
    free(gid);
    free(first);
    return e;
}

/* {"ranks": [a, b]} or {"rank": a}, and each curve under its kind. */
static cJSON *entry_json(const struct gx_ceilings *c, const struct curve_groups *g, int k,
                         int per_gpu)
{
    const struct gx_ceil_curve *k0 = &c->curves[g->order[g->start[k]]];
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return NULL;
    if (per_gpu)
        cJSON_AddNumberToObject(e, "rank", k0->a);
    else
        cJSON_AddItemToObject(e, "ranks", cJSON_CreateIntArray((const int[]){k0->a, k0->b}, 2));
    for (int j = g->start[k]; j < g->start[k + 1]; j++) {
        const struct gx_ceil_curve *cv = &c->curves[g->order[j]];
        cJSON *curve = curve_json(c, cv);
        if (!curve) {
            cJSON_Delete(e);
            return NULL;
        }
        cJSON_AddItemToObject(e, gx_ceil_kind_name((enum gx_ceil_kind)cv->kind), curve);
    }
    return e;
}

/* Takes the entry; 0 or an errno. */
typedef int (*entry_emit)(void *ctx, cJSON *entry);

static int each_entry(const struct gx_ceilings *c, int per_gpu, entry_emit emit, void *ctx)
{
    struct curve_groups g = {0};
    int e = group_curves(c, per_gpu, &g);
    for (int k = 0; !e && k < g.n; k++) {
        cJSON *entry = entry_json(c, &g, k, per_gpu);
        e = entry ? emit(ctx, entry) : ENOMEM;
    }
    free(g.order);
    free(g.start);
    return e;
}

static int has_per_gpu(const struct gx_ceilings *c)
{
    for (int i = 0; i < c->n; i++)
        if (c->curves[i].b < 0)
            return 1;
    return 0;
}

static cJSON *ceilings_head(const struct gx_ceilings *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "seconds", c->seconds);
    cJSON_AddStringToObject(o, "method",
                            "every ceiling is a probe of a layer below the paths (copy engines, "
                            "SMs on mapped memory, the peer copy, managed memory's migration, "
                            "host memory through shared memory), measured by the result's own "
                            "pair in the same harness as the results: same patterns, window, "
                            "iterations and clock, both sides' stages at once. The ceiling is "
                            "its best iteration ('best'); median, min and max its spread.");
    return o;
}

static int add_to_array(void *ctx, cJSON *entry)
{
    cJSON_AddItemToArray(ctx, entry);
    return 0;
}

cJSON *gx_ceilings_json(const struct gx_ceilings *c)
{
    cJSON *o = ceilings_head(c);
    cJSON *pairs = o ? cJSON_AddArrayToObject(o, "rank_pairs") : NULL;
    /* "gpus" only where there are any: a report without them reads as before. */
    cJSON *gpus = pairs && has_per_gpu(c) ? cJSON_AddArrayToObject(o, "gpus") : NULL;
    if (!pairs || each_entry(c, 0, add_to_array, pairs) ||
        (gpus && each_entry(c, 1, add_to_array, gpus))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Streamed, an entry misses the document's repair to UTF-8. */
static int stream_entry(void *ctx, cJSON *entry)
{
    int e = gx_stream_repaired(ctx, entry);
    cJSON_Delete(entry);
    return e;
}

static int fill_rank_pairs(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    return each_entry(ctx, 0, stream_entry, w);
}

static int fill_gpus(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    return each_entry(ctx, 1, stream_entry, w);
}

/* A copy: the engine goes on adding to its ceilings while the watchdog may write the report. */
int gx_report_ceilings(struct gx_report *rep, const struct gx_ceilings *c, struct gx_err *err)
{
    struct gx_ceilings copy = {0};
    cJSON *cal = ceilings_head(c);
    int rc = cal ? gx_ceilings_copy(&copy, c, err)
                 : gx_fail(err, GX_ERUNTIME, "out of host memory for the report's ceilings");
    gx_report_lock(rep);
    cJSON *pairs = rc == GX_OK ? gx_report_stream_slot_locked(rep, "ceilings.rank_pairs",
                                                               fill_rank_pairs, &rep->ceilings, err)
                               : NULL;
    cJSON *gpus = pairs && has_per_gpu(c) ? gx_report_stream_slot_locked(rep, "ceilings.gpus",
                                                                         fill_gpus, &rep->ceilings,
                                                                         err)
                                          : NULL;
    if (pairs && (gpus || !has_per_gpu(c))) {
        cJSON_AddItemToObject(cal, "rank_pairs", pairs);
        if (gpus)
            cJSON_AddItemToObject(cal, "gpus", gpus);
        struct gx_ceilings old = rep->ceilings;
        rep->ceilings = copy;
        copy = old;
        gx_json_replace(rep->doc, "ceilings", cal);
        cal = NULL;
    } else {
        cJSON_Delete(pairs);
        rc = GX_ERUNTIME;
    }
    gx_report_unlock(rep);
    cJSON_Delete(cal);
    gx_ceilings_free(&copy);
    return rc;
}
