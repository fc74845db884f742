/* A result as the report's JSON, from the table of its fields (result_fields.h). */
#include "config.h"
#include "json_stream.h"
#include "result_json.h"

#include "coll.h"
#include "result_fields.h"

#include <math.h>

void gx_json_add_two(cJSON *o, const char *name, double x, double y)
{
    cJSON *a = cJSON_AddArrayToObject(o, name);
    cJSON_AddItemToArray(a, cJSON_CreateNumber(x));
    cJSON_AddItemToArray(a, cJSON_CreateNumber(y));
}

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
    if (n->visits_ci > 0)
        cJSON_AddNumberToObject(e, "visits_ci", n->visits_ci);
    if (n->mode_visits) {
        cJSON *m = cJSON_AddObjectToObject(e, "two_speeds");
        cJSON_AddNumberToObject(m, "low", n->mode_lo);
        cJSON_AddNumberToObject(m, "high", n->mode_hi);
        cJSON_AddNumberToObject(m, "high_visits", n->mode_hi_visits);
        cJSON_AddNumberToObject(m, "visits", n->mode_visits);
    }
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
    gx_json_add_two(e, "median_interval", r->stats.ci_lo, r->stats.ci_hi);
}

/* The CSV's two booleans, one object here. */
static void hook_exceeded(cJSON *o, const struct gx_result *r)
{
    if (!r->ceiling_exceeded)
        return;
    cJSON *e = cJSON_AddObjectToObject(o, "ceiling_exceeded");
    int latency = r->family == GX_FAMILY_LATENCY;
    cJSON_AddNumberToObject(e, "by", r->efficiency);
    gx_json_add_two(e, "ceiling_range", r->ceiling_range.lo, r->ceiling_range.hi);
    char why[320];
    snprintf(why, sizeof why, "the median (%.4g %s) is %s than the best of the %d iterations of "
             "the probe of the layer below (%.4g .. %.4g): the path reached something the probe "
             "does not measure, or the machine changed between them, so the ceiling does not "
             "bound the result here",
             r->stats.median, r->unit, latency ? "faster" : "higher", r->ceiling_range.iters,
             r->ceiling_range.lo, r->ceiling_range.hi);
    cJSON_AddStringToObject(e, "reason", why);
}

/* --vary: which option, and this result's value of it as given. */
static void hook_vary(cJSON *o, const struct gx_result *r)
{
    cJSON *v = cJSON_AddObjectToObject(o, "vary");
    cJSON_AddStringToObject(v, "option", r->vary_option);
    cJSON_AddStringToObject(v, "value", r->vary_value);
}

/* The rows that need more than a key and a value. */
static void hook_ranks(cJSON *o, const struct gx_result *r)
{
    gx_json_add_two(o, "ranks", r->a, r->b);
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
        gx_json_add_two(c, "median_ci95", r->cands[i].m.lo, r->cands[i].m.hi);
    }
}

static void hook_median_ci95(cJSON *o, const struct gx_result *r)
{
    gx_json_add_two(o, "median_ci95", r->stats.ci_lo, r->stats.ci_hi);
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

enum in { IN_key, IN_top, IN_mem, IN_stop, IN_stats, IN_validation, IN_collective };

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
