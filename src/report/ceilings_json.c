/* The report's "ceilings": rank 0 holds them typed and makes their entries only as the report
 * is written, since a point as cJSON is several times its typed size. */
#include "config.h"
#include "output.h"
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

/* The curves of one GPU or pair: the same a and b. */
static int pair_cmp(int x, int y, void *ctx)
{
    const struct gx_ceil_curve *p = &((const struct gx_ceilings *)ctx)->curves[x];
    const struct gx_ceil_curve *q = &((const struct gx_ceilings *)ctx)->curves[y];
    return p->a != q->a ? (p->a > q->a) - (p->a < q->a) : (p->b > q->b) - (p->b < q->b);
}

/* {"ranks": [a, b]} or {"rank": a}, and each curve of curve i's group under its kind. */
static cJSON *entry_json(const struct gx_ceilings *c, const struct gx_groups *g, int i,
                         int per_gpu)
{
    const struct gx_ceil_curve *k0 = &c->curves[i];
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return NULL;
    if (per_gpu)
        cJSON_AddNumberToObject(e, "rank", k0->a);
    else
        cJSON_AddItemToObject(e, "ranks", cJSON_CreateIntArray((const int[]){k0->a, k0->b}, 2));
    for (int j = g->at[i]; j < g->at[i] + g->size[i]; j++) {
        const struct gx_ceil_curve *cv = &c->curves[g->sorted[j]];
        cJSON *curve = curve_json(c, cv);
        if (!curve) {
            cJSON_Delete(e);
            return NULL;
        }
        cJSON_AddItemToObject(e, gx_ceil_kind_name((enum gx_ceil_kind)cv->kind), curve);
    }
    return e;
}

/* One entry per GPU or pair of the class, in the order each came, its curves as they came.
 * Streamed, an entry misses the document's repair to UTF-8. */
static int each_entry(const struct gx_ceilings *c, int per_gpu, struct gx_jstream *w)
{
    int *items = malloc(((size_t)c->n + 1) * sizeof *items), m = 0;
    for (int i = 0; items && i < c->n; i++)
        if ((c->curves[i].b < 0) == per_gpu)
            items[m++] = i;
    struct gx_groups g = {0};
    int e = items && gx_groups_make(&g, items, m, c->n, pair_cmp, (void *)c) == 0 ? 0 : ENOMEM;
    free(items);
    for (int i = 0; !e && i < c->n; i++) {
        if ((c->curves[i].b < 0) != per_gpu || g.sorted[g.at[i]] != i)
            continue; /* another class's, or not its group's first */
        cJSON *entry = entry_json(c, &g, i, per_gpu);
        e = entry && gx_json_repair(entry, "", NULL) >= 0 ? gx_stream_item(w, entry, NULL, NULL)
                                                          : ENOMEM;
        cJSON_Delete(entry);
    }
    gx_groups_free(&g);
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

static int fill_rank_pairs(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    return each_entry(ctx, 0, w);
}

static int fill_gpus(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    return each_entry(ctx, 1, w);
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
