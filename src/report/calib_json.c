/* The job's ceilings in the report: the "calibration" object (gx_calibration_json). */
#include "config.h"
#include "report.h"

#include "json_util.h"

static cJSON *curve_json(const struct gx_ceil_curve *k)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "unit", gx_ceil_kind_unit((enum gx_ceil_kind)k->kind));
    if (k->what[0])
        cJSON_AddStringToObject(o, "what", k->what);
    if (k->absent[0]) {
        cJSON_AddStringToObject(o, "absent", k->absent);
        return o;
    }
    cJSON *pts = cJSON_AddArrayToObject(o, "points");
    for (int i = 0; pts && i < k->n; i++) {
        const struct gx_ceil_point *p = &k->pts[i];
        cJSON *q = cJSON_CreateObject();
        if (!q)
            break;
        cJSON_AddNumberToObject(q, "size", (double)p->size);
        if (p->iters > 0) {
            cJSON_AddNumberToObject(q, "best", p->best);
            cJSON_AddNumberToObject(q, "median", p->median);
            cJSON_AddNumberToObject(q, "min", p->min);
            cJSON_AddNumberToObject(q, "max", p->max);
            /* (max - min) / median: how far apart the iterations were */
            cJSON_AddNumberToObject(q, "spread", p->median > 0 ? (p->max - p->min) / p->median : 0);
            cJSON_AddNumberToObject(q, "iterations", p->iters);
            if (p->elapsed_s > 0)
                cJSON_AddNumberToObject(q, "elapsed_s", p->elapsed_s);
            gx_noise_json(q, &p->noise);
        } else {
            cJSON_AddStringToObject(q, "absent", p->absent[0] ? p->absent : "not measured");
        }
        cJSON_AddItemToArray(pts, q);
    }
    return o;
}

/* The entry of `list` for pair (a, b), made when missing. */
static cJSON *entry_for(cJSON *list, int a, int b)
{
    cJSON *e;
    cJSON_ArrayForEach(e, list) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "ranks");
        if (cJSON_GetArraySize(r) == 2 && cJSON_GetArrayItem(r, 0)->valueint == a &&
            cJSON_GetArrayItem(r, 1)->valueint == b)
            return e;
    }
    if (!(e = cJSON_CreateObject()))
        return NULL;
    int ab[2] = {a, b};
    cJSON_AddItemToObject(e, "ranks", cJSON_CreateIntArray(ab, 2));
    cJSON_AddItemToArray(list, e);
    return e;
}

/* The entry of `list` for GPU of rank a, made when missing. */
static cJSON *gpu_entry_for(cJSON *list, int a)
{
    cJSON *e;
    cJSON_ArrayForEach(e, list)
        if (gx_json_num(e, "rank") == a)
            return e;
    if (!(e = cJSON_CreateObject()))
        return NULL;
    cJSON_AddNumberToObject(e, "rank", a);
    cJSON_AddItemToArray(list, e);
    return e;
}

cJSON *gx_calibration_json(const struct gx_ceilings *c)
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
    cJSON *pairs = cJSON_AddArrayToObject(o, "rank_pairs"), *gpus = NULL;
    if (!pairs) {
        cJSON_Delete(o);
        return NULL;
    }
    for (int i = 0; i < c->n; i++) {
        const struct gx_ceil_curve *k = &c->curves[i];
        /* A per-GPU kind (b -1, the host links) under its rank in "gpus", made when first
         * needed: a report without them reads as before. */
        if (k->b < 0 && !gpus && !(gpus = cJSON_AddArrayToObject(o, "gpus")))
            continue;
        cJSON *e = k->b < 0 ? gpu_entry_for(gpus, k->a) : entry_for(pairs, k->a, k->b);
        cJSON *curve = curve_json(k);
        if (e && curve)
            cJSON_AddItemToObject(e, gx_ceil_kind_name((enum gx_ceil_kind)k->kind), curve);
        else
            cJSON_Delete(curve);
    }
    return o;
}

int gx_report_calibration(struct gx_report *rep, const struct gx_ceilings *c,
                          struct gx_err *err)
{
    cJSON *cal = gx_calibration_json(c);
    if (!cal)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the calibration report");
    gx_report_set(rep, "calibration", cal);
    return GX_OK;
}
