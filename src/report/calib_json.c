/* The job's ceilings in the report: the "calibration" object (gx_calibration_json). */
#include "config.h"
#include "report.h"

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
        if (p->repeats > 0) {
            cJSON_AddNumberToObject(q, "median", p->median);
            cJSON_AddNumberToObject(q, "min", p->min);
            cJSON_AddNumberToObject(q, "max", p->max);
            /* (max - min) / median: how far apart the repeats were */
            cJSON_AddNumberToObject(q, "spread", p->median > 0 ? (p->max - p->min) / p->median : 0);
            cJSON_AddNumberToObject(q, "repeats", p->repeats);
            if (p->rechecked > 0)
                cJSON_AddNumberToObject(q, "rechecked", p->rechecked);
        } else {
            cJSON_AddStringToObject(q, "absent", p->absent[0] ? p->absent : "not measured");
        }
        cJSON_AddItemToArray(pts, q);
    }
    return o;
}

/* The entry of `list` for rank a (b < 0: key "rank") or pair (a, b) (key "ranks"), made when
 * missing. */
static cJSON *entry_for(cJSON *list, int a, int b)
{
    cJSON *e;
    cJSON_ArrayForEach(e, list) {
        if (b < 0) {
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "rank");
            if (cJSON_IsNumber(r) && r->valueint == a)
                return e;
        } else {
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "ranks");
            if (cJSON_GetArraySize(r) == 2 && cJSON_GetArrayItem(r, 0)->valueint == a &&
                cJSON_GetArrayItem(r, 1)->valueint == b)
                return e;
        }
    }
    if (!(e = cJSON_CreateObject()))
        return NULL;
    if (b < 0) {
        cJSON_AddNumberToObject(e, "rank", a);
    } else {
        int ab[2] = {a, b};
        cJSON_AddItemToObject(e, "ranks", cJSON_CreateIntArray(ab, 2));
    }
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
                            "per size: one warm-up repeat, then the repeats; the ceiling is "
                            "their median. Copies, and kernel copies to or from mapped host "
                            "memory: up to 256 back to back (kernels 128; about 256 MiB; peer "
                            "copies: the window of the fastest path they bound) a "
                            "repeat, the stream held by a spin kernel while they are enqueued, "
                            "timed with CUDA events. Managed memory: up to 256 prefetches or page-touching "
                            "kernels back to back on different pieces, each at a 2 MiB boundary "
                            "(about 256 MiB, or one piece of a larger size) a repeat, after an "
                            "untimed prefetch to where the pages start, timed with "
                            "CUDA events from the first enqueue. MPI: windows of non-blocking "
                            "messages with an acknowledgement (as osu_bw), ping-pong with "
                            "MPI_Send/MPI_Recv, on pageable buffers (mpi_bw, mpi_bibw, "
                            "mpi_latency) and on pinned ones (mpi_pinned_*), each repeat one "
                            "per pass over the curve's sizes, min and max the lowest p5 and "
                            "highest p95 of the repeats' windows or round trips; a point that a "
                            "result crossed is measured again at once by its pair (3 repeats, "
                            "'rechecked'), its range widened and its median the faster of the "
                            "two; on managed pages just moved (mpi_migrated_*), "
                            "each message of a window on pages of its own, moved to the GPU and "
                            "back to the host before the window, untimed.");
    cJSON *gpus = cJSON_AddArrayToObject(o, "gpus");
    cJSON *gpu_pairs = cJSON_AddArrayToObject(o, "gpu_pairs");
    cJSON *rank_pairs = cJSON_AddArrayToObject(o, "rank_pairs");
    if (!gpus || !gpu_pairs || !rank_pairs) {
        cJSON_Delete(o);
        return NULL;
    }
    for (int i = 0; i < c->n; i++) {
        const struct gx_ceil_curve *k = &c->curves[i];
        cJSON *list = gx_ceil_kind_per_gpu((enum gx_ceil_kind)k->kind)          ? gpus
                      : k->kind == GX_CEIL_PEER || k->kind == GX_CEIL_PEER_BIDIR ? gpu_pairs
                                                                                 : rank_pairs;
        cJSON *e = entry_for(list, k->a, list == gpus ? -1 : k->b);
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
