#include "scenario.h"

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

/* Renders a JSON scalar as the text the command line would carry; 0 if it cannot be one. */
static int scalar_text(const cJSON *v, int allow_string, char *buf, size_t len)
{
    if (cJSON_IsString(v) && allow_string) {
        if (strlen(v->valuestring) >= len)
            return 0;
        strcpy(buf, v->valuestring);
        return 1;
    }
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d != floor(d) || fabs(d) > 9.0e15)
            return 0;
        snprintf(buf, len, "%.0f", d);
        return 1;
    }
    return 0;
}

static int value_text(const cJSON *v, const struct gx_option *op, char *buf, size_t len)
{
    switch (op->type) {
    case GX_T_INT:
        return scalar_text(v, 0, buf, len);
    case GX_T_FLAG:
        if (!cJSON_IsBool(v))
            return 0;
        strcpy(buf, cJSON_IsTrue(v) ? "1" : "0");
        return 1;
    case GX_T_LIST:
        if (cJSON_IsArray(v)) {
            size_t used = 0;
            const cJSON *item;
            buf[0] = '\0';
            if (cJSON_GetArraySize(v) == 0)
                return 0;
            cJSON_ArrayForEach(item, v) {
                char one[128];
                if (!scalar_text(item, 1, one, sizeof one) || used + strlen(one) + 2 > len)
                    return 0;
                used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "", one);
            }
            return 1;
        }
        return scalar_text(v, 1, buf, len);
    default:
        return cJSON_IsString(v) && scalar_text(v, 1, buf, len);
    }
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
                           "pairs, iters, warmup, window, validate, chunk, depth, calibrate, name)",
                           file, index, kv->string);
        char text[1024];
        if (!value_text(kv, op, text, sizeof text))
            return gx_fail(err, GX_EINPUT, "%s: runs[%d].%s: expected %s", file, index, op->name,
                           type_name(op->type));
        if (op->type == GX_T_FLAG && strcmp(text, "0") == 0)
            continue;
        if (op->set(NULL, r, text, err) != GX_OK)
            return gx_wrap(err, "%s: runs[%d].%s", file, index, op->name);
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

/* cJSON decodes "\u0000" into a NUL that silently cuts the string ("host\u0000garbage" reads as
 * "host"), so the text is scanned for one, in strings only, before anything is taken from it.
 * text up to end is one valid JSON document (what follows it is not looked at). Returns where the
 * escape is (NULL: none) and, in key, the raw text of the key it belongs to: the string itself
 * when it is a key, else the last key before it. */
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

/* Exactly one JSON document, without NUL characters in its strings. */
static cJSON *parse_document(const char *file, const char *text, struct gx_err *err)
{
    const char *end = NULL;
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

int gx_scenario_load(const char *file, const char *text, struct gx_options *o, struct gx_err *err)
{
    cJSON *doc = parse_document(file, text, err);
    int rc = GX_OK;
    if (!doc)
        return GX_EINPUT;
    if (!cJSON_IsObject(doc)) {
        rc = gx_fail(err, GX_EINPUT, "%s: expected a JSON object with a \"runs\" array", file);
        goto out;
    }
    const cJSON *kv;
    cJSON_ArrayForEach(kv, doc) {
        if (strcmp(kv->string, "description") == 0) {
            if (!cJSON_IsString(kv)) {
                rc = gx_fail(err, GX_EINPUT, "%s: description: expected a string", file);
                goto out;
            }
        } else if (strcmp(kv->string, "runs") != 0) {
            const struct gx_option *op = gx_option_find(kv->string);
            if (!gx_option_scenario_top(op)) {
                rc = gx_fail(err, GX_EINPUT, "%s: unknown key '%s' (expected description, runs, "
                             "soak)", file, kv->string);
                goto out;
            }
            /* A job-wide option (e.g. soak) at the top level, typed like a run's keys. */
            char text[64];
            if (!value_text(kv, op, text, sizeof text)) {
                rc = gx_fail(err, GX_EINPUT, "%s: %s: expected %s", file, op->name,
                             type_name(op->type));
                goto out;
            }
            if ((rc = op->set(o, NULL, text, err)) != GX_OK) {
                gx_wrap(err, "%s: %s", file, op->name);
                goto out;
            }
        }
    }
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(doc, "runs");
    int n = cJSON_GetArraySize(runs);
    if (!cJSON_IsArray(runs) || n == 0) {
        rc = gx_fail(err, GX_EINPUT, "%s: runs: expected a non-empty array of run objects", file);
        goto out;
    }
    if (n > GX_MAX_RUNS) {
        rc = gx_fail(err, GX_EINPUT, "%s: runs: %d runs (expected at most %d)", file, n,
                     GX_MAX_RUNS);
        goto out;
    }
    o->nruns = n;
    for (int i = 0; i < n && rc == GX_OK; i++)
        rc = load_run(file, i, cJSON_GetArrayItem(runs, i), &o->runs[i], err);
out:
    cJSON_Delete(doc);
    return rc;
}
