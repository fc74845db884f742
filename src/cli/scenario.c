#include "scenario.h"

#include "input.h"
#include "option_table.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *type_name(enum gx_opt_type t)
{
    switch (t) {
    case GX_T_INT: return "an integer";
    case GX_T_LIST: return "a string or an array of strings/integers";
    case GX_T_FLAG: return "a boolean";
    default: return "a string";
    }
}

/* A scenario needs 4 levels of nesting; cJSON's own limit would be reported as invalid JSON. */
#define VALUE_MAX 16383
#define ARRAY_MAX GX_MAX_SIZES
#define DEPTH_MAX 16

/* A number too large is left to the option's range check (the one number rule). */
static int scalar_text(const cJSON *v, int allow_string, char *buf, size_t len,
                       const char *expected, struct gx_err *err)
{
    if (cJSON_IsString(v) && allow_string) {
        size_t n = strlen(v->valuestring);
        if (n >= len)
            return gx_too_long(err, "the value", n, len - 1);
        memcpy(buf, v->valuestring, n + 1);
        return GX_OK;
    }
    if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble)) {
        snprintf(buf, len, "%.0f", v->valuedouble); /* at most 309 digits: len is larger */
        return GX_OK;
    }
    return gx_fail(err, GX_EINPUT, "expected %s", expected);
}

static int value_text(const cJSON *v, const struct gx_option *op, char *buf, size_t len,
                      struct gx_err *err)
{
    const char *expected = type_name(op->type);
    if (op->type == GX_T_FLAG) {
        if (!cJSON_IsBool(v))
            return gx_fail(err, GX_EINPUT, "expected %s", expected);
        strcpy(buf, cJSON_IsTrue(v) ? "1" : "0");
        return GX_OK;
    }
    if (op->type != GX_T_LIST || !cJSON_IsArray(v))
        return scalar_text(v, op->type != GX_T_INT, buf, len, expected, err);
    int n = cJSON_GetArraySize(v), i = 0;
    if (n == 0)
        return gx_fail(err, GX_EINPUT, "an empty array (expected at least one item)");
    if (n > ARRAY_MAX)
        return gx_fail(err, GX_EINPUT, "an array of %d items (the limit is %d)", n, ARRAY_MAX);
    size_t used = 0;
    const cJSON *item;
    buf[0] = '\0';
    cJSON_ArrayForEach(item, v) {
        char one[VALUE_MAX + 1];
        if (scalar_text(item, 1, one, sizeof one, expected, err) != GX_OK)
            return gx_wrap(err, "item %d", i);
        size_t l = strlen(one);
        if (l > GX_ITEM_MAX)
            return gx_fail(err, GX_EINPUT, "item %d is %zu characters long (the limit is %d)", i,
                           l, GX_ITEM_MAX);
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "", one);
        i++;
    }
    return GX_OK;
}

/* cJSON finds the first of a repeated key (a name and its alias too): the rest go unread. */
static const char *given_twice(const cJSON *object, const cJSON *kv)
{
    const struct gx_option *op = gx_option_find(kv->string);
    for (const cJSON *p = object->child; p && p != kv; p = p->next)
        if (strcmp(p->string, kv->string) == 0 || (op && gx_option_find(p->string) == op))
            return p->string;
    return NULL;
}

static int load_run(const char *file, int index, const cJSON *run, struct gx_run_opts *r,
                    struct gx_err *err)
{
    gx_run_defaults(r);
    if (!cJSON_IsObject(run))
        return gx_fail(err, GX_EINPUT, "%s: runs[%d]: expected an object of options", file, index);
    const cJSON *kv;
    cJSON_ArrayForEach(kv, run) {
        const struct gx_option *op = gx_option_find(kv->string);
        if (!op || !op->per_run)
            return gx_fail(err, GX_EINPUT,
                           "%s: runs[%d]: unknown key '%s' (expected path, mem, pattern, sizes, "
                           "pairs, iters, warmup, window, validate, chunk, depth, ceilings, name)",
                           file, index, kv->string);
        /* After the unknown keys: at most one pass over the option table's names. */
        const char *earlier = given_twice(run, kv);
        if (earlier && strcmp(earlier, kv->string) != 0)
            return gx_fail(err, GX_EINPUT, "%s: runs[%d]: keys '%s' and '%s' are one option "
                           "given twice", file, index, earlier, kv->string);
        if (earlier)
            return gx_fail(err, GX_EINPUT, "%s: runs[%d]: key '%s' is given twice", file, index,
                           kv->string);
    }
    cJSON_ArrayForEach(kv, run) {
        const struct gx_option *op = gx_option_find(kv->string);
        static char text[VALUE_MAX + 1];
        if (value_text(kv, op, text, sizeof text, err) != GX_OK)
            return gx_wrap(err, "%s: runs[%d].%s", file, index, kv->string);
        if (op->type == GX_T_FLAG && strcmp(text, "0") == 0)
            continue;
        if (gx_option_set(op, NULL, r, text, err) != GX_OK)
            return gx_wrap(err, "%s: runs[%d].%s", file, index, kv->string);
        r->given |= GX_OPTION_BIT(op);
    }
    return GX_OK;
}

static int line_of(const char *text, const char *at)
{
    int line = 1;
    for (const char *p = text; at && p < at; p++)
        line += *p == '\n';
    return line;
}

/* cJSON decodes "\u0000" into a NUL that silently cuts the string: found first, with its key. */
static const char *find_nul_escape(const char *text, const char *end, char *key, size_t keylen)
{
    const char *start = NULL; /* the open string's first character */
    const char *nul = NULL;
    key[0] = '\0';
    for (const char *p = text; p < end && *p; p++) {
        if (!start) {
            if (*p == '"')
                start = p + 1;
            continue;
        }
        if (*p == '\\' && p + 1 < end) {
            if (!nul && strncmp(p + 1, "u0000", 5) == 0)
                nul = p;
            p++;
            continue;
        }
        if (*p != '"')
            continue;
        const char *q = p + 1;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
            q++;
        if (*q == ':') /* a key: the strings after it until the next key belong to it */
            snprintf(key, keylen, "%.*s", (int)(p - start), start);
        if (nul)
            return nul;
        start = NULL;
    }
    return NULL;
}

/* The text need not be valid JSON: cJSON judges that afterwards. */
static const char *too_deep(const char *text, int limit)
{
    int depth = 0, in_string = 0;
    for (const char *p = text; *p; p++) {
        if (in_string) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                in_string = 0;
        } else if (*p == '"') {
            in_string = 1;
        } else if (*p == '[' || *p == '{') {
            if (++depth > limit)
                return p;
        } else if (*p == ']' || *p == '}') {
            depth--;
        }
    }
    return NULL;
}

/* Exactly one JSON document, without NUL characters in its strings. */
static cJSON *parse_document(const char *file, const char *text, struct gx_err *err)
{
    const char *end = NULL, *deep = too_deep(text, DEPTH_MAX);
    if (deep) {
        gx_fail(err, GX_EINPUT, "%s: line %d: arrays and objects nested deeper than %d levels "
                "(the limit is %d)", file, line_of(text, deep), DEPTH_MAX, DEPTH_MAX);
        return NULL;
    }
    cJSON *doc = cJSON_ParseWithOpts(text, &end, 0);
    if (!doc) {
        gx_fail(err, GX_EINPUT, "%s: line %d: not valid JSON (expected a scenario object)", file,
                line_of(text, cJSON_GetErrorPtr()));
        return NULL;
    }
    char key[64];
    const char *nul = find_nul_escape(text, end, key, sizeof key);
    end += strspn(end, " \t\r\n");
    if (*end)
        gx_fail(err, GX_EINPUT, "%s: line %d: text after the JSON document (a scenario file is "
                "one JSON object)", file, line_of(text, end));
    else if (nul)
        gx_fail(err, GX_EINPUT, "%s: line %d: key '%s': a string holds a NUL character "
                "(\\u0000)", file, line_of(text, nul), key);
    if (*end || nul) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

static int load_document(const char *file, const cJSON *doc, struct gx_options *o,
                         struct gx_err *err)
{
    if (!cJSON_IsObject(doc))
        return gx_fail(err, GX_EINPUT, "%s: expected a JSON object with a \"runs\" array", file);
    const cJSON *kv;
    /* The keys before their values, so that a key given twice is named as such. */
    cJSON_ArrayForEach(kv, doc) {
        if (strcmp(kv->string, "description") != 0 && strcmp(kv->string, "runs") != 0 &&
            !gx_option_scenario_top(gx_option_find(kv->string)))
            break;
        if (given_twice(doc, kv))
            return gx_fail(err, GX_EINPUT, "%s: key '%s' is given twice", file, kv->string);
    }
    cJSON_ArrayForEach(kv, doc) {
        if (strcmp(kv->string, "description") == 0) {
            if (!cJSON_IsString(kv))
                return gx_fail(err, GX_EINPUT, "%s: description: expected a string", file);
        } else if (strcmp(kv->string, "runs") != 0) {
            const struct gx_option *op = gx_option_find(kv->string);
            if (!gx_option_scenario_top(op)) {
                char keys[128] = "description, runs";
                for (const struct gx_option *t = gx_option_table; t->name; t++)
                    if (gx_option_scenario_top(t))
                        gx_list_add(keys, sizeof keys, ", ", t->name);
                return gx_fail(err, GX_EINPUT, "%s: unknown key '%s' (expected %s)", file,
                               kv->string, keys);
            }
            /* A job-wide option at the top level, typed like a run's keys. */
            static char text[VALUE_MAX + 1];
            if (value_text(kv, op, text, sizeof text, err) != GX_OK ||
                gx_option_set(op, o, NULL, text, err) != GX_OK)
                return gx_wrap(err, "%s: %s", file, op->name);
        }
    }
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(doc, "runs");
    int n = cJSON_GetArraySize(runs);
    if (!cJSON_IsArray(runs) || n == 0)
        return gx_fail(err, GX_EINPUT, "%s: runs: expected a non-empty array of run objects",
                       file);
    if (n > GX_MAX_RUNS)
        return gx_fail(err, GX_EINPUT, "%s: runs: %d runs (the limit is %d)", file, n,
                       GX_MAX_RUNS);
    o->nruns = n;
    for (int i = 0; i < n; i++)
        GX_TRY(load_run(file, i, cJSON_GetArrayItem(runs, i), &o->runs[i], err));
    return GX_OK;
}

int gx_scenario_load(const char *file, const char *text, struct gx_options *o, struct gx_err *err)
{
    cJSON *doc = parse_document(file, text, err);
    if (!doc)
        return GX_EINPUT;
    int rc = load_document(file, doc, o, err);
    cJSON_Delete(doc);
    return rc;
}
