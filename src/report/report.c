/* The document as the run goes on (rank 0). */
#include "config.h"
#include "report.h"

#include "options.h"
#include "result_fields.h"
#include "sizes.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --samples beyond GX_SAMPLES_INLINE: one line per result in <output>.samples.jsonl. o as one
 * line of fd, repaired and written whole: an aborted job or a full disk leaves only complete
 * lines behind. 0 or an errno. */
static int json_append_line(int fd, off_t *end, cJSON *o)
{
    char *line = gx_json_repair(o) < 0 ? NULL : cJSON_PrintUnformatted(o);
    if (!line)
        return ENOMEM;
    size_t len = strlen(line);
    line[len] = '\n'; /* over the terminator: the line is written by length */
    int e = gx_append_whole(fd, end, line, len + 1);
    cJSON_free(line);
    return e;
}

/* name: [x, y] (a pair of ranks, an interval). */
static void json_add_two(cJSON *o, const char *name, double x, double y)
{
    cJSON *a = cJSON_AddArrayToObject(o, name);
    cJSON_AddItemToArray(a, cJSON_CreateNumber(x));
    cJSON_AddItemToArray(a, cJSON_CreateNumber(y));
}

/* Flushed to the disk before the report refers to it. Main thread only. */
static int samples_stream(struct gx_report *rep, const struct gx_result *res, struct gx_err *err)
{
    if (!rep->samples_open) {
        rep->samples_fd = open(rep->samples_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                               0666);
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
static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Made when new; NULL when out of memory. The rows are few: a scan is enough. */
static struct gx_summary_row *row_of(struct gx_summary *s, const struct gx_result *r)
{
    const char *cls = gx_size_class_name(gx_size_class(r->size));
    const char *run = r->run_name ? r->run_name : "";
    for (size_t i = 0; i < s->n; i++) {
        struct gx_summary_row *w = &s->rows[i];
        if (w->size_class == cls && same(w->path, r->path) && same(w->src, r->src_mem) &&
            same(w->dst, r->dst_mem) && same(w->pattern, r->pattern) && same(w->run, run))
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
    struct gx_report_held *h = held_of(rep, res);
    if (!h) {
        for (size_t i = 0; i < rep->nheld && !h; i++)
            h = rep->held[i].json ? NULL : &rep->held[i];
        if (!h) {
            struct gx_report_held *g = gx_grow(rep->held, &rep->held_cap, rep->nheld, 16, sizeof *g);
            if (g) {
                rep->held = g;
                h = &rep->held[rep->nheld++];
                h->json = NULL;
            }
        }
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

cJSON *gx_report_stream_slot(struct gx_report *rep, const char *name, gx_stream_fill fill,
                             void *ctx, struct gx_err *err)
{
    gx_report_lock(rep);
    cJSON *slot = gx_report_stream_slot_locked(rep, name, fill, ctx, err);
    gx_report_unlock(rep);
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

int gx_report_note_repairs(struct gx_report *rep, cJSON *item, const char *place)
{
    gx_report_lock(rep);
    cJSON *notes = cJSON_GetObjectItemCaseSensitive(rep->doc, GX_JSON_REPAIRED_KEY);
    int made = !notes;
    if (made)
        notes = cJSON_CreateArray();
    int n = notes ? gx_json_repair_at(item, place, notes) : -1;
    if (made && n > 0)
        cJSON_AddItemToObject(rep->doc, GX_JSON_REPAIRED_KEY, notes);
    else if (made)
        cJSON_Delete(notes);
    gx_report_unlock(rep);
    return n;
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

/* Made when new; -1 when out of memory. Kinds are few: a scan is enough. */
static int kind_of(struct gx_skips *s, const char *run, const char *path, const char *reason)
{
    for (size_t i = 0; i < s->nkinds; i++)
        if (same(s->kinds[i].run, run) && same(s->kinds[i].path, path) &&
            same(s->kinds[i].reason, reason))
            return (int)i;
    struct gx_skip_kind *k = gx_grow(s->kinds, &s->kinds_cap, s->nkinds, 8, sizeof *k);
    if (!k)
        return -1;
    s->kinds = k;
    k = &s->kinds[s->nkinds];
    k->run = strdup(run ? run : "");
    k->path = strdup(path ? path : "");
    k->reason = strdup(reason ? reason : "");
    if (!k->run || !k->path || !k->reason) {
        free(k->run);
        free(k->path);
        free(k->reason);
        return -1;
    }
    return (int)s->nkinds++;
}

static int add_run(struct gx_skips *s, struct gx_skip_run r)
{
    struct gx_skip_run *g = gx_grow(s->runs, &s->runs_cap, s->nruns, 64, sizeof *g);
    if (!g)
        return ENOMEM;
    s->runs = g;
    s->runs[s->nruns++] = r;
    return 0;
}

/* A pair that continues the last run's step lengthens it. */
static int encode(struct gx_skips *s, const struct gx_pair *pairs, int npairs)
{
    size_t first = s->nruns;
    for (int i = 0; i < npairs; i++) {
        struct gx_skip_run *r = s->nruns > first ? &s->runs[s->nruns - 1] : NULL;
        if (r && r->n == 1) {
            r->da = pairs[i].a - r->a;
            r->db = pairs[i].b - r->b;
            r->n = 2;
        } else if (r && pairs[i].a == r->a + r->n * r->da && pairs[i].b == r->b + r->n * r->db) {
            r->n++;
        } else if (add_run(s, (struct gx_skip_run){pairs[i].a, pairs[i].b, 0, 0, 1})) {
            s->nruns = first;
            return ENOMEM;
        }
    }
    return 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15u + (h << 6) + (h >> 2);
    return h;
}

static uint64_t event_hash(const struct gx_skips *s, int kind, int npairs, size_t first)
{
    uint64_t h = mix(mix(0, (uint64_t)kind), (uint64_t)npairs);
    for (size_t i = first; i < s->nruns; i++) {
        const struct gx_skip_run *r = &s->runs[i];
        h = mix(mix(mix(h, (uint32_t)r->a), (uint32_t)r->b), (uint32_t)r->n);
        h = mix(mix(h, (uint32_t)r->da), (uint32_t)r->db);
    }
    return h;
}

static int repeats(const struct gx_skips *s, const struct gx_skip_event *e, int kind,
                   int npairs, size_t first, uint64_t hash)
{
    /* No runs: runs may be NULL. */
    return e->hash == hash && e->kind == kind && e->npairs == npairs &&
           e->nruns == s->nruns - first &&
           (e->nruns == 0 ||
            memcmp(&s->runs[e->first], &s->runs[first], e->nruns * sizeof *s->runs) == 0);
}

static uint64_t hash_of(const void *events, size_t i)
{
    return ((const struct gx_skip_event *)events)[i].hash;
}

int gx_skips_add(struct gx_skips *s, const char *run, const char *path,
                 const struct gx_pair *pairs, int npairs, const char *reason)
{
    int kind = kind_of(s, run, path, reason);
    if (kind < 0 || gx_slots_reserve(&s->index, s->nevents, hash_of, s->events) != 0)
        return ENOMEM;
    size_t first = s->nruns;
    if (encode(s, pairs, npairs))
        return ENOMEM;
    uint64_t hash = event_hash(s, kind, npairs, first);
    size_t ev;
    for (long at = gx_slots_first(&s->index, hash, &ev); at >= 0;
         at = gx_slots_next(&s->index, at, &ev))
        if (repeats(s, &s->events[ev], kind, npairs, first, hash)) {
            s->nruns = first;
            return 0;
        }
    struct gx_skip_event *g = gx_grow(s->events, &s->events_cap, s->nevents, 64, sizeof *g);
    if (!g) {
        s->nruns = first;
        return ENOMEM;
    }
    s->events = g;
    s->events[s->nevents] = (struct gx_skip_event){kind, npairs, first, s->nruns - first, hash};
    gx_slots_put(&s->index, hash, s->nevents++);
    return 0;
}

static int put_one(struct gx_jstream *w, const struct gx_skip_kind *k, int a, int b, int has_pair)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return ENOMEM;
    if (k->run[0])
        cJSON_AddStringToObject(o, "run", k->run);
    cJSON_AddStringToObject(o, "path", k->path);
    if (has_pair)
        json_add_two(o, "ranks", a, b);
    cJSON_AddStringToObject(o, "reason", k->reason);
    /* Streamed, it misses the document's repair. */
    int e = gx_json_repair(o) < 0 ? ENOMEM : gx_stream_item(w, o, NULL, NULL);
    cJSON_Delete(o);
    return e;
}

int gx_skips_fill(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    const struct gx_skips *s = ctx;
    int e = 0;
    for (size_t i = 0; !e && i < s->nevents; i++) {
        const struct gx_skip_event *ev = &s->events[i];
        const struct gx_skip_kind *k = &s->kinds[ev->kind];
        if (ev->npairs == 0)
            e = put_one(w, k, -1, -1, 0);
        for (size_t j = ev->first; !e && j < ev->first + ev->nruns; j++) {
            const struct gx_skip_run *r = &s->runs[j];
            for (int32_t n = 0; !e && n < r->n; n++)
                e = put_one(w, k, r->a + n * r->da, r->b + n * r->db, 1);
        }
    }
    return e;
}

size_t gx_skips_bytes(const struct gx_skips *s)
{
    size_t b = s->kinds_cap * sizeof *s->kinds + s->events_cap * sizeof *s->events +
               s->runs_cap * sizeof *s->runs + s->index.n * sizeof *s->index.slot;
    for (size_t i = 0; i < s->nkinds; i++)
        b += strlen(s->kinds[i].run) + strlen(s->kinds[i].path) + strlen(s->kinds[i].reason) + 3;
    return b;
}

void gx_skips_free(struct gx_skips *s)
{
    for (size_t i = 0; i < s->nkinds; i++) {
        free(s->kinds[i].run);
        free(s->kinds[i].path);
        free(s->kinds[i].reason);
    }
    free(s->kinds);
    free(s->events);
    free(s->runs);
    gx_slots_free(&s->index);
    memset(s, 0, sizeof *s);
}

/* A result as the report's JSON, from the table of its fields (result_fields.h). */
void gx_chunk_key_json(cJSON *o, size_t chunk, int depth, int choice)
{
    if (gx_chunk_picked(chunk, choice)) {
        cJSON_AddStringToObject(o, "chunk_choice", gx_chunk_choice_name(choice));
    } else if (chunk) {
        cJSON_AddNumberToObject(o, "chunk", (double)chunk);
        cJSON_AddNumberToObject(o, "depth", depth);
    }
}

/* The machine's marks on the step, what they rest on, and a sentence a reader can act on. */
void gx_noise_json(cJSON *o, const struct gx_noise *n)
{
    cJSON *e = cJSON_AddObjectToObject(o, "noise");
    cJSON *marks = cJSON_AddArrayToObject(e, "marks");
    char word[32], why[256];
    for (unsigned bit = 1; bit <= GX_NOISE_LAST; bit <<= 1)
        if (n->marks & bit)
            cJSON_AddItemToArray(marks, cJSON_CreateString(gx_noise_words(bit, word, sizeof word)));
    if (n->cpu_wait >= 0)
        cJSON_AddNumberToObject(e, "cpu_wait", n->cpu_wait);
    if (n->cpu_waits >= 0)
        cJSON_AddNumberToObject(e, "cpu_waits", (double)n->cpu_waits);
    if (n->tail > 0)
        cJSON_AddNumberToObject(e, "tail", n->tail);
    cJSON_AddNumberToObject(e, "median_ci", n->ci);
    if (n->drift > 0)
        cJSON_AddNumberToObject(e, "drift", n->drift);
    if (n->worst > 0) /* a float's digits, as the table shows them */
        cJSON_AddNumberToObject(e, "worst", round(10.0 * n->worst) / 10.0);
    if (n->marks) {
        gx_noise_why(n, why, sizeof why);
        cJSON_AddStringToObject(e, "why", why);
    }
}

static void hook_within(cJSON *o, const struct gx_result *r)
{
    if (r->ceiling_exceeded || !r->ceiling_within)
        return;
    cJSON *e = cJSON_AddObjectToObject(o, "ceiling_within");
    cJSON_AddNumberToObject(e, "by", r->efficiency);
    json_add_two(e, "median_interval", r->stats.ci_lo, r->stats.ci_hi);
}

/* The CSV's two booleans, one object here. */
static void hook_exceeded(cJSON *o, const struct gx_result *r)
{
    if (!r->ceiling_exceeded)
        return;
    cJSON *e = cJSON_AddObjectToObject(o, "ceiling_exceeded");
    int latency = r->family == GX_FAMILY_LATENCY;
    cJSON_AddNumberToObject(e, "by", r->efficiency);
    json_add_two(e, "ceiling_range", r->ceiling_range.lo, r->ceiling_range.hi);
    char why[320];
    snprintf(why, sizeof why, "the median (%.4g %s) is %s than the best of the %d iterations of "
             "the probe of the layer below (%.4g .. %.4g): the path reached something the probe "
             "does not measure, or the machine changed between them, so the ceiling does not "
             "bound the result here",
             r->stats.median, r->unit, latency ? "faster" : "higher", r->ceiling_range.iters,
             r->ceiling_range.lo, r->ceiling_range.hi);
    cJSON_AddStringToObject(e, "reason", why);
}

/* The rows that need more than a key and a value. */
static void hook_ranks(cJSON *o, const struct gx_result *r)
{
    json_add_two(o, "ranks", r->a, r->b);
}

static void hook_stages(cJSON *o, const struct gx_result *r)
{
    cJSON *st = cJSON_AddArrayToObject(o, "stages");
    for (int i = 0; i < GX_MAX_STAGES && r->stage_names[i]; i++) {
        cJSON *e = gx_json_append_object(st);
        cJSON_AddStringToObject(e, "name", r->stage_names[i]);
        cJSON_AddNumberToObject(e, "initiator_us", r->stage_us[0][i]);
        cJSON_AddNumberToObject(e, "peer_us", r->stage_us[1][i]);
    }
}

static void hook_candidates(cJSON *o, const struct gx_result *r)
{
    cJSON *cands = cJSON_AddArrayToObject(o, "auto_candidates");
    for (int i = 0; i < r->ncands; i++) {
        cJSON *c = gx_json_append_object(cands);
        cJSON_AddNumberToObject(c, "chunk", (double)r->cands[i].chunk);
        cJSON_AddNumberToObject(c, "depth", r->cands[i].depth);
        cJSON_AddNumberToObject(c, "median", r->cands[i].m.median);
        json_add_two(c, "median_ci95", r->cands[i].m.lo, r->cands[i].m.hi);
    }
}

static void hook_median_ci95(cJSON *o, const struct gx_result *r)
{
    json_add_two(o, "median_ci95", r->stats.ci_lo, r->stats.ci_hi);
}

static void hook_noise(cJSON *o, const struct gx_result *r)
{
    gx_noise_json(o, &r->noise);
}

static void hook_visit_medians(cJSON *o, const struct gx_result *r)
{
    cJSON_AddItemToObject(o, "visit_medians",
                          cJSON_CreateDoubleArray(r->visit_median, r->visits));
}

static void hook_samples(cJSON *o, const struct gx_result *r)
{
    cJSON_AddItemToObject(o, "samples", cJSON_CreateDoubleArray(r->samples, (int)r->nsamples));
}

enum in { IN_key, IN_top, IN_mem, IN_stop, IN_stats, IN_validation };

/* A row's JSON by its json column, called as JSON_<json>(o, key, type, value). */
#define JSON_STR(o, k, v) cJSON_AddStringToObject(o, k, v)
#define JSON_INT(o, k, v) cJSON_AddNumberToObject(o, k, (double)(v))
#define JSON_NUM(o, k, v) cJSON_AddNumberToObject(o, k, v)
#define JSON_BOOL(o, k, v) cJSON_AddBoolToObject(o, k, v)
#define JSON_VAL(o, key, type, v) JSON_##type(o, #key, v)
#define JSON_FLAG(o, key, type, v) ((v) ? cJSON_AddBoolToObject(o, #key, 1) : NULL)
#define JSON_OBJ(o, key, type, v) add_rows(cJSON_AddObjectToObject(o, #key), r, IN_##key)
#define JSON_NONE(o, key, type, v) NULL
#define JSON_SWALLOW(...)
#define JSON_HOOK(name, json_type) hook_##name(o, r); JSON_SWALLOW

static void add_rows(cJSON *o, const struct gx_result *r, enum in in)
{
    if (!o)
        return;
#define JSON_ROW(key, type, value, when, json, at, csv, tab)                                  \
    if (IN_##at == in && (when)) {                                                            \
        JSON_##json(o, key, type, value);                                                     \
    }
    GX_RESULT_FIELDS(JSON_ROW)
#undef JSON_ROW
}

/* The row's JSON type, NULL where it has no key of its own. */
#define JTYPE_STR "string"
#define JTYPE_INT "integer"
#define JTYPE_NUM "number"
#define JTYPE_BOOL "boolean"
#define JTYPE_VAL(type) JTYPE_##type
#define JTYPE_FLAG(type) "boolean"
#define JTYPE_OBJ(type) "object"
#define JTYPE_NONE(type) NULL
#define JTYPE_HOOK(name, json_type) #json_type JSON_SWALLOW
#define FIELD_ENTRY(key, type, value, when, json, at, csv, tab)                               \
    {#key, #at, JTYPE_##json(type), #when},
const struct gx_result_field gx_result_fields[] = {GX_RESULT_FIELDS(FIELD_ENTRY){NULL}};
#undef FIELD_ENTRY

void gx_result_key_json(cJSON *o, const struct gx_result *r)
{
    add_rows(o, r, IN_key);
}

cJSON *gx_result_json(const struct gx_result *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    add_rows(o, r, IN_key);
    add_rows(o, r, IN_top);
    return o;
}

cJSON *gx_failure_json(const char *kind, const char *what, const int *ranks, int n)
{
    cJSON *f = cJSON_CreateObject();
    if (!f)
        return NULL;
    cJSON_AddStringToObject(f, "kind", kind);
    if (what && what[0])
        cJSON_AddStringToObject(f, "measurement", what);
    if (ranks && n > 0)
        cJSON_AddItemToObject(f, "ranks", cJSON_CreateIntArray(ranks, n));
    return f;
}

/* The report's names of a result's states, and the status rule. */
const char *gx_state_name(enum gx_state s)
{
    switch (s) {
    case GX_STATE_OK: return "ok";
    case GX_STATE_SKIPPED: return "skipped";
    case GX_STATE_FAILED: return "failed";
    default: return "idle";
    }
}

const char *gx_chunk_choice_name(int choice)
{
    static const char *const names[] = {"default", "auto", "given"}; /* enum gx_chunk_mode */
    return choice >= 0 && choice < (int)GX_ARRAY_LEN(names) ? names[choice] : "unknown";
}

int gx_chunk_picked(size_t chunk, int choice)
{
    return chunk > 0 && choice != GX_CHUNK_GIVEN;
}

const char *gx_validation_name(const struct gx_result *r)
{
    return !r->validated ? "not_checked" : r->valid ? "passed" : "failed";
}

void gx_result_settle(struct gx_result *r, char *why, size_t len)
{
    if (!r->validated || r->valid || r->state == GX_STATE_SKIPPED)
        return;
    snprintf(why, len, "received data did not match what was sent: first bad byte at offset "
             "%lld (validation iteration %ld)%s%s", r->bad_offset, r->bad_iter,
             r->state == GX_STATE_FAILED && r->reason && r->reason[0] ? "; " : "",
             r->state == GX_STATE_FAILED && r->reason ? r->reason : "");
    r->state = GX_STATE_FAILED;
    r->reason = why;
}

const char *gx_ended_name(int ended)
{
    static const char *const names[] = {
        [GX_ENDED_ITERATIONS] = "iterations",
        [GX_ENDED_PRECISION] = "precision",
        [GX_ENDED_TIME] = "time",
    };
    return ended >= 0 && ended < (int)GX_ARRAY_LEN(names) ? names[ended] : names[0];
}

/* The report's "ceilings": rank 0 holds them typed and makes their entries only as the report
 * is written, since a point as cJSON is several times its typed size. */
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
