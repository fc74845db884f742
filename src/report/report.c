/* The document as the run goes on (rank 0). */
#include "config.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

/* --samples beyond GX_SAMPLES_INLINE: one line per result in <output>.samples.jsonl. o as one
 * line of fd, repaired and written whole: an aborted job or a full disk leaves only complete
 * lines behind. 0 or an errno. */
static int json_append_line(int fd, off_t *end, cJSON *o)
{
    char *line = gx_json_repair(o, "", o) < 0 ? NULL : cJSON_PrintUnformatted(o);
    if (!line)
        return ENOMEM;
    size_t len = strlen(line);
    line[len] = '\n'; /* over the terminator: the line is written by length */
    int e = gx_append_whole(fd, end, line, len + 1);
    cJSON_free(line);
    return e;
}

/* Flushed to the disk before the report refers to it. Main thread only. */
static int samples_stream(struct gx_report *rep, const struct gx_result *res, struct gx_err *err)
{
    if (!rep->samples_open) {
        rep->samples_fd = open(rep->samples_path,
                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (rep->samples_fd < 0)
            return gx_fail(err, GX_ERUNTIME, "--samples: cannot write '%s': %s",
                           rep->samples_path, strerror(errno));
        rep->samples_open = 1;
    }
    int ab[2] = {res->a, res->b};
    cJSON *o = cJSON_CreateObject();
    if (o) {
        cJSON_AddNumberToObject(o, "jsonl_line", (double)(rep->streamed + 1));
        cJSON_AddStringToObject(o, "path", res->path);
        cJSON_AddStringToObject(o, "pattern", res->pattern);
        cJSON_AddNumberToObject(o, "size", (double)res->size);
        cJSON_AddItemToObject(o, "ranks", cJSON_CreateIntArray(ab, 2));
        cJSON_AddItemToObject(o, "samples",
                              cJSON_CreateDoubleArray(res->samples, (int)res->nsamples));
    }
    int e = o ? json_append_line(rep->samples_fd, &rep->samples_end, o) : ENOMEM;
    cJSON_Delete(o);
    if (!e && fsync(rep->samples_fd) != 0 && errno != EINVAL)
        e = errno;
    if (e)
        return gx_fail(err, GX_ERUNTIME, "writing '%s': %s", rep->samples_path, strerror(e));
    rep->samples_lines++;
    return GX_OK;
}

static void samples_ref(cJSON *o, const struct gx_report *rep, long line, size_t n)
{
    const char *base = strrchr(rep->samples_path, '/');
    cJSON *ref = cJSON_AddObjectToObject(o, "samples_file");
    cJSON_AddStringToObject(ref, "file", base ? base + 1 : rep->samples_path);
    cJSON_AddNumberToObject(ref, "line", (double)line);
    cJSON_AddNumberToObject(ref, "n", (double)n);
}

/* The report's "summary": per (path, memory kinds, pattern, run name, size class) how many
 * results and the spread of their medians. Nothing merges memory kinds or runs. */
/* Made when new; NULL when out of memory. The rows are few: a scan is enough. */
static struct gx_summary_row *row_of(struct gx_summary *s, const struct gx_result *r)
{
    const char *cls = gx_size_class_name(gx_size_class(r->size));
    const char *run = r->run_name ? r->run_name : "";
    for (size_t i = 0; i < s->n; i++) {
        struct gx_summary_row *w = &s->rows[i];
        if (w->size_class == cls && gx_str_eq(w->path, r->path) && gx_str_eq(w->src, r->src_mem) &&
            gx_str_eq(w->dst, r->dst_mem) && gx_str_eq(w->pattern, r->pattern) &&
            gx_str_eq(w->run, run))
            return w;
    }
    struct gx_summary_row *g = gx_grow(s->rows, &s->cap, s->n, 8, sizeof *g);
    if (!g)
        return NULL;
    s->rows = g;
    char *run_copy = strdup(run);
    if (!run_copy)
        return NULL;
    g = &s->rows[s->n++];
    *g = (struct gx_summary_row){.size_class = cls, .path = r->path, .src = r->src_mem,
                                 .dst = r->dst_mem, .pattern = r->pattern, .run = run_copy,
                                 .unit = r->unit, .min = r->stats.median,
                                 .max = r->stats.median};
    return g;
}

/* 0, or -1 when out of memory. */
static int summary_add(struct gx_summary *s, const struct gx_result *r)
{
    if (r->state != GX_STATE_OK)
        return 0;
    struct gx_summary_row *w = row_of(s, r);
    if (!w)
        return -1;
    double med = r->stats.median;
    w->n++;
    w->min = fmin(w->min, med);
    w->max = fmax(w->max, med);
    w->mean += (med - w->mean) / (double)w->n;
    return 0;
}

cJSON *gx_summary_json(const struct gx_summary *s)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < s->n; i++) {
        const struct gx_summary_row *w = &s->rows[i];
        cJSON *row = cJSON_CreateObject();
        if (!row) {
            cJSON_Delete(a);
            return NULL;
        }
        cJSON_AddStringToObject(row, "size_class", w->size_class);
        cJSON_AddStringToObject(row, "path", w->path);
        cJSON_AddStringToObject(row, "src_mem", w->src);
        cJSON_AddStringToObject(row, "dst_mem", w->dst);
        cJSON_AddStringToObject(row, "pattern", w->pattern);
        if (w->run[0])
            cJSON_AddStringToObject(row, "run", w->run);
        cJSON_AddStringToObject(row, "unit", w->unit);
        cJSON_AddNumberToObject(row, "results", (double)w->n);
        cJSON_AddNumberToObject(row, "median_min", w->min);
        cJSON_AddNumberToObject(row, "median_max", w->max);
        cJSON_AddNumberToObject(row, "median_mean", w->mean);
        cJSON_AddItemToArray(a, row);
    }
    return a;
}

void gx_summary_free(struct gx_summary *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->rows[i].run);
    free(s->rows);
    memset(s, 0, sizeof *s);
}

static struct gx_report_held *held_of(struct gx_report *rep, const struct gx_result *res)
{
    for (size_t i = 0; i < rep->nheld; i++)
        if (rep->held[i].json && rep->held[i].step == res->step && rep->held[i].a == res->a &&
            rep->held[i].b == res->b)
            return &rep->held[i];
    return NULL;
}

int gx_report_hold(struct gx_report *rep, const struct gx_result *res, struct gx_err *err)
{
    if (!rep)
        return GX_OK;
    struct gx_result r = *res;
    r.samples = NULL; /* the result's last visit has them all */
    cJSON *o = gx_result_json(&r);
    if (!o)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for a result");
    gx_report_lock(rep);
    struct gx_report_held *h = held_of(rep, res), *grown = NULL;
    for (size_t i = 0; i < rep->nheld && !h; i++) /* or a free slot */
        h = rep->held[i].json ? NULL : &rep->held[i];
    if (!h && (grown = gx_grow(rep->held, &rep->held_cap, rep->nheld, 16, sizeof *grown))) {
        rep->held = grown;
        h = &rep->held[rep->nheld++];
        h->json = NULL;
    }
    if (h) {
        cJSON_Delete(h->json);
        *h = (struct gx_report_held){.step = res->step, .a = res->a, .b = res->b, .json = o};
    }
    gx_report_unlock(rep);
    if (!h) {
        cJSON_Delete(o);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for a held result");
    }
    return GX_OK;
}

void gx_report_add_held_locked(struct gx_report *rep)
{
    for (size_t i = 0; i < rep->nheld; i++) {
        if (!rep->held[i].json)
            continue;
        if (json_append_line(rep->lines_fd, &rep->lines_end, rep->held[i].json) == 0 &&
            rep->rotation <= 1)
            rep->doc_end = rep->lines_end;
        rep->streamed++;
        cJSON_Delete(rep->held[i].json);
        rep->held[i].json = NULL;
    }
}

static int report_add_locked(struct gx_report *rep, const struct gx_result *res,
                             long samples_line, const char *samples_dropped, struct gx_err *err)
{
    struct gx_report_held *h = held_of(rep, res);
    if (h) { /* its last visit, or the sink's own held copy at the run's end */
        cJSON_Delete(h->json);
        h->json = NULL;
    }
    cJSON *o = gx_result_json(res);
    if (!o)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for a result");
    if (samples_line > 0)
        samples_ref(o, rep, samples_line, res->nsamples);
    if (samples_dropped[0])
        cJSON_AddStringToObject(o, "samples_dropped", samples_dropped);
    if (rep->rotation > 0)
        cJSON_AddNumberToObject(o, "rotation", (double)rep->rotation);
    rep->streamed++;
    rep->failures += res->state == GX_STATE_FAILED;
    int e = json_append_line(rep->lines_fd, &rep->lines_end, o);
    /* A result is in both the document and the lines or in neither. */
    if (!e && rep->rotation <= 1) {
        rep->doc_end = rep->lines_end;
        if (summary_add(&rep->summary, res) < 0)
            e = ENOMEM;
    }
    cJSON_Delete(o);
    if (e == ENOMEM)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for a result line");
    if (e)
        return gx_fail(err, GX_ERUNTIME, "writing '%s': %s", rep->lines_path, strerror(e));
    return GX_OK;
}

int gx_report_add(struct gx_report *rep, const struct gx_result *res, struct gx_err *err)
{
    struct gx_result r = *res;
    long samples_line = 0;
    gx_report_lock(rep);
    int given = rep->final_written;
    gx_report_unlock(rep);
    char dropped[1100] = "";
    if (r.samples && !given && rep->inline_samples + (long)r.nsamples > GX_SAMPLES_INLINE) {
        struct gx_err serr = {0};
        /* The samples are extra: a disk too full for them drops them, never the result. */
        if (samples_stream(rep, res, &serr) == GX_OK) {
            samples_line = rep->samples_lines;
        } else {
            snprintf(dropped, sizeof dropped, "%s", serr.msg);
            fprintf(stderr, "gpuxfer: %s: this result's samples are dropped, the result "
                    "stands\n", serr.msg);
        }
        r.samples = NULL;
    } else if (r.samples) {
        rep->inline_samples += (long)r.nsamples;
    }
    gx_report_lock(rep);
    double t0 = gx_mono_s();
    /* Once a report is written the answer is given: a later result goes nowhere, so that the
     * report and the .jsonl agree. */
    int rc = rep->final_written ? GX_OK
                                : report_add_locked(rep, &r, samples_line, dropped, err);
    rep->assembly_s += gx_mono_s() - t0;
    gx_report_unlock(rep);
    return rc;
}

int gx_report_skip(struct gx_report *rep, const char *run, const char *path,
                   const struct gx_pair *pairs, int npairs, const char *reason, struct gx_err *err)
{
    gx_report_lock(rep);
    int e = gx_skips_add(&rep->skips, run, path, pairs, npairs, reason);
    gx_report_unlock(rep);
    return e ? gx_fail(err, GX_ERUNTIME, "out of host memory for a skip of %s", path) : GX_OK;
}

cJSON *gx_report_stream_slot_locked(struct gx_report *rep, const char *key, gx_stream_fill fill,
                                    void *ctx, struct gx_err *err)
{
    int i = 0;
    while (i < rep->nstreams && strcmp(rep->streams[i].key, key) != 0)
        i++;
    if (i == GX_REPORT_STREAMS) { /* a new member beyond the table: GX_REPORT_STREAMS is short */
        gx_fail(err, GX_ERUNTIME, "no room for the report's member '%s'", key);
        return NULL;
    }
    cJSON *slot = gx_stream_slot(i + 1);
    if (!slot) {
        gx_fail(err, GX_ERUNTIME, "out of host memory for the report's %s", key);
        return NULL;
    }
    rep->streams[i] = (struct gx_report_stream){key, fill, ctx};
    rep->nstreams += i == rep->nstreams;
    return slot;
}

int gx_report_set_streamed(struct gx_report *rep, const char *key, gx_stream_fill fill,
                           void *ctx, struct gx_err *err)
{
    gx_report_lock(rep);
    cJSON *slot = gx_report_stream_slot_locked(rep, key, fill, ctx, err);
    if (slot)
        gx_json_replace(rep->doc, key, slot);
    gx_report_unlock(rep);
    return slot ? GX_OK : GX_ERUNTIME;
}

void gx_report_set(struct gx_report *rep, const char *key, cJSON *item)
{
    gx_report_lock(rep);
    gx_json_replace(rep->doc, key, item);
    gx_report_unlock(rep);
}

void gx_report_rotation(struct gx_report *rep, long rotation)
{
    gx_report_lock(rep);
    rep->rotation = rotation;
    gx_report_unlock(rep);
}

void gx_report_vary(struct gx_report *rep, const struct gx_vary *vary)
{
    gx_report_lock(rep);
    cJSON *run = cJSON_AddObjectToObject(cJSON_GetObjectItem(rep->doc, "context"), "run");
    cJSON *v = run ? cJSON_AddObjectToObject(run, "vary") : NULL;
    if (v)
        cJSON_AddStringToObject(v, "option", gx_vary_names[vary->option]);
    cJSON *values = v ? cJSON_AddArrayToObject(v, "values") : NULL;
    for (int k = 0; values && k < vary->n; k++)
        cJSON_AddItemToArray(values, cJSON_CreateString(vary->v[k].text));
    gx_report_unlock(rep);
}

void gx_report_soak(struct gx_report *rep, long seconds, double seconds_run, long rotations)
{
    gx_report_lock(rep);
    cJSON_DeleteItemFromObject(rep->doc, "soak");
    cJSON *s = cJSON_AddObjectToObject(rep->doc, "soak");
    if (s) {
        cJSON_AddNumberToObject(s, "seconds", (double)seconds);
        cJSON_AddNumberToObject(s, "seconds_run", seconds_run);
        cJSON_AddNumberToObject(s, "rotations", (double)rotations);
        cJSON_AddNumberToObject(s, "results_streamed", (double)rep->streamed);
        cJSON_AddNumberToObject(s, "failures", (double)rep->failures);
    }
    gx_report_unlock(rep);
}
