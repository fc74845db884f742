/* The table of a result's fields (src/base/result_fields.h) against the schema's result: every
 * field the table names is in the schema, in its object, with the JSON type the table writes;
 * every field the schema requires is one the table writes always. */
#include "report.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static cJSON *schema;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    char buf[65536];
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = 2 * (len + n + 1);
            char *grown = realloc(text, cap);
            if (!grown)
                break;
            text = grown;
        }
        memcpy(text + len, buf, n);
        len += n;
        text[len] = '\0';
    }
    fclose(f);
    return text;
}

/* A schema's node with its "$ref" (#/$defs/NAME) followed. */
static const cJSON *resolved(const cJSON *node)
{
    const cJSON *ref = cJSON_GetObjectItem(node, "$ref");
    if (!cJSON_IsString(ref) || strncmp(ref->valuestring, "#/$defs/", 8) != 0)
        return node;
    return cJSON_GetObjectItem(cJSON_GetObjectItem(schema, "$defs"), ref->valuestring + 8);
}

/* The schema of the object a field is in: the result's for "key" and "top", else the
 * property of the result that is that object. */
static const cJSON *object_of(const char *in)
{
    const cJSON *result = cJSON_GetObjectItem(cJSON_GetObjectItem(schema, "$defs"), "result");
    if (!strcmp(in, "key") || !strcmp(in, "top"))
        return result;
    return resolved(cJSON_GetObjectItem(cJSON_GetObjectItem(result, "properties"), in));
}

/* Whether a value of JSON type `type` fits the schema's node: its "type" (a name or a list of
 * them; an integer is also a number), an "enum" of strings for a string, or "const": true (a
 * flag, there only when true) for a boolean. */
static int type_fits(const cJSON *node, const char *type)
{
    const cJSON *t = cJSON_GetObjectItem(node, "type");
    if (cJSON_IsTrue(cJSON_GetObjectItem(node, "const")))
        return !strcmp(type, "boolean");
    if (cJSON_IsString(t))
        return !strcmp(t->valuestring, type) ||
               (!strcmp(type, "integer") && !strcmp(t->valuestring, "number"));
    const cJSON *e;
    if (cJSON_IsArray(t)) {
        cJSON_ArrayForEach(e, t) if (cJSON_IsString(e) && !strcmp(e->valuestring, type)) return 1;
        return 0;
    }
    const cJSON *values = cJSON_GetObjectItem(node, "enum");
    if (!cJSON_IsArray(values) || strcmp(type, "string") != 0)
        return 0;
    cJSON_ArrayForEach(e, values) if (!cJSON_IsString(e)) return 0;
    return 1;
}

/* The table's row for key in object `in` ("key" and "top" are one object). */
static const struct gx_result_field *row_of(const char *in, const char *key)
{
    int top = !strcmp(in, "top");
    for (const struct gx_result_field *f = gx_result_fields; f->key; f++)
        if (f->json_type && !strcmp(f->key, key) &&
            (!strcmp(f->in, in) || (top && !strcmp(f->in, "key"))))
            return f;
    return NULL;
}

int main(void)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof path, "%s/schema/gpuxfer-report.schema.json", top ? top : ".");
    char *text = slurp(path);
    schema = text ? cJSON_Parse(text) : NULL;
    free(text);
    ok(schema != NULL, "the schema parses (%s)", path);
    if (!schema)
        return tap_done();
    int fields = 0, typed = 0;
    for (const struct gx_result_field *f = gx_result_fields; f->key; f++) {
        if (!f->json_type) /* part of another field's JSON (ranks' initiator and peer) */
            continue;
        fields++;
        const cJSON *props = cJSON_GetObjectItem(object_of(f->in), "properties");
        const cJSON *node = resolved(cJSON_GetObjectItem(props, f->key));
        if (!node) {
            ok(0, "%s.%s is in the schema", f->in, f->key);
            continue;
        }
        if (!type_fits(node, f->json_type))
            ok(0, "%s.%s: the table writes a %s, the schema says otherwise", f->in, f->key,
               f->json_type);
        else
            typed++;
    }
    ok(fields > 40 && typed == fields, "%d of the table's %d fields are in the schema with "
       "their JSON type", typed, fields);
    /* The reverse: what the schema requires of the result and of its objects the table holds,
     * written always (when "1"), or whenever its object is (stats: when measured). */
    static const char *const objects[] = {"top", "mem", "stop", "stats", "validation"};
    for (size_t i = 0; i < sizeof objects / sizeof *objects; i++) {
        const cJSON *req = cJSON_GetObjectItem(object_of(objects[i]), "required"), *k;
        const struct gx_result_field *obj = row_of("top", objects[i]);
        int n = 0, held = 0;
        cJSON_ArrayForEach(k, req) {
            const struct gx_result_field *f = row_of(objects[i], k->valuestring);
            n++;
            if (f && (!strcmp(f->when, "1") || (obj && !strcmp(f->when, obj->when))))
                held++;
            else
                ok(0, "%s requires %s: %s", objects[i], k->valuestring,
                   f ? "the table writes it only sometimes" : "not in the table");
        }
        ok(n > 0 && held == n, "%s: the table writes the schema's %d required fields always",
           objects[i], n);
    }
    cJSON_Delete(schema);
    return tap_done();
}
