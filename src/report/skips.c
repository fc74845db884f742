/* The skipped results, kept as runs of events and written as the report's "skipped". */
#include "config.h"
#include "skips.h"
#include "result_json.h"

#include <errno.h>
#include <stdlib.h>

/* Made when new; -1 when out of memory. Kinds are few: a scan is enough. */
static int kind_of(struct gx_skips *s, const char *run, const char *path, const char *reason)
{
    for (size_t i = 0; i < s->nkinds; i++)
        if (gx_str_eq(s->kinds[i].run, run) && gx_str_eq(s->kinds[i].path, path) &&
            gx_str_eq(s->kinds[i].reason, reason))
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

static uint64_t event_hash(const struct gx_skips *s, int kind, int npairs, size_t first)
{
    uint64_t h = gx_hash_mix(gx_hash_mix(0, (uint64_t)kind), (uint64_t)npairs);
    for (size_t i = first; i < s->nruns; i++) {
        const struct gx_skip_run *r = &s->runs[i];
        h = gx_hash_mix(gx_hash_mix(h, (uint32_t)r->a), (uint32_t)r->b);
        h = gx_hash_mix(h, (uint32_t)r->n);
        h = gx_hash_mix(gx_hash_mix(h, (uint32_t)r->da), (uint32_t)r->db);
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
        gx_json_add_two(o, "ranks", a, b);
    cJSON_AddStringToObject(o, "reason", k->reason);
    /* Streamed, it misses the document's repair. */
    int e = gx_json_repair(o, "", o) < 0 ? ENOMEM : gx_stream_item(w, o, NULL, NULL);
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
