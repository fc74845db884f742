/* The one JSON renderer of a view's grid: {facts..., rows_key: [a row's object...], facts...}
 * (without rows_key the array alone); a key's dots name members of members ("best.mem.src"),
 * "x[]" an element of array x, an absent cell {"absent": why} in its place. */
#include "config.h"
#include "grid.h"
#include "json_stream.h"

#include <string.h>

/* The object or array where a key puts its value, and the member's own name (NULL: appended);
 * an array's element made only where `fill`. */
static cJSON *place_of(cJSON *o, const char *key, const char **leaf, int fill)
{
    char name[64];
    const char *list = strstr(key, "[]"), *dot;
    if (list) {
        snprintf(name, sizeof name, "%.*s", (int)(list - key), key);
        cJSON *a = cJSON_GetObjectItemCaseSensitive(o, name);
        if (!a && !(a = cJSON_AddArrayToObject(o, name)))
            return NULL;
        *leaf = list[2] ? list + 3 : NULL;
        if (!*leaf || !fill)
            return a;
        cJSON *last = cJSON_GetArrayItem(a, cJSON_GetArraySize(a) - 1);
        return last && !cJSON_HasObjectItem(last, *leaf) ? last : gx_json_append_object(a);
    }
    for (; o && (dot = strchr(key, '.')); key = dot + 1) {
        snprintf(name, sizeof name, "%.*s", (int)(dot - key), key);
        cJSON *in = cJSON_GetObjectItemCaseSensitive(o, name);
        o = in ? in : cJSON_AddObjectToObject(o, name);
    }
    *leaf = key;
    return o;
}

static int add_cell(cJSON *o, const char *key, const struct gx_cell *x)
{
    const char *leaf;
    if (x->type == GX_CELL_NONE) /* nothing, but a list is there even where empty */
        return !strstr(key, "[]") || place_of(o, key, &leaf, 0) ? 0 : -1;
    cJSON *into = place_of(o, key, &leaf, 1), *v = NULL;
    if (!into)
        return -1;
    switch (x->type) {
    case GX_CELL_INT:
    case GX_CELL_REAL:
        v = cJSON_CreateNumber(x->v);
        break;
    case GX_CELL_TEXT:
        v = cJSON_CreateString(x->s ? x->s : "");
        break;
    case GX_CELL_BOOL:
        v = cJSON_CreateBool(x->v != 0);
        break;
    case GX_CELL_NULL:
        v = cJSON_CreateNull();
        break;
    case GX_CELL_ABSENT:
        if (into == o && !(into = cJSON_AddObjectToObject(o, key)))
            return -1;
        leaf = "absent";
        v = cJSON_CreateString(x->s ? x->s : "not measured");
        break;
    default:
        return 0;
    }
    if (v && (leaf ? cJSON_AddItemToObject(into, leaf, v) : cJSON_AddItemToArray(into, v)))
        return 0;
    cJSON_Delete(v);
    return -1;
}

static int add_facts(cJSON *o, const struct gx_grid *g, int from, int to)
{
    for (int i = from; i < to; i++) {
        const struct gx_grid_fact *f = &g->facts[i];
        struct gx_cell x = {.type = f->s ? GX_CELL_TEXT : GX_CELL_REAL, .v = f->v, .s = f->s};
        if (add_cell(o, f->key, &x) != 0)
            return -1;
    }
    return 0;
}

cJSON *gx_grid_json(const struct gx_grid *g)
{
    if (g->ncols == 0) { /* facts alone */
        cJSON *o = cJSON_CreateObject();
        if (o && add_facts(o, g, 0, g->nfacts) == 0)
            return o;
        cJSON_Delete(o);
        return NULL;
    }
    if (g->nrows == 0)
        return NULL;
    int at = g->rows_at < g->nfacts ? g->rows_at : g->nfacts, bad = 0;
    cJSON *o = g->rows_key ? cJSON_CreateObject() : cJSON_CreateArray(), *rows = o;
    if (g->rows_key)
        rows = o && add_facts(o, g, 0, at) == 0 ? cJSON_AddArrayToObject(o, g->rows_key) : NULL;
    for (int r = 0; rows && r < g->nrows && !bad; r++) {
        cJSON *row = gx_json_append_object(rows);
        bad = !row;
        for (int c = 0; !bad && c < g->ncols; c++)
            if (g->cols[c].key)
                bad = add_cell(row, g->cols[c].key, &g->cells[(size_t)r * g->ncols + c]) != 0;
    }
    if (!rows || bad || (g->rows_key && add_facts(o, g, at, g->nfacts) != 0)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
