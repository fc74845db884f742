/* The one JSON renderer of a view's grid: {rows_key: [a row's object...], facts...}; a key
 * "a.b" is member b of the row's object a, an absent cell {"absent": why} in its place. */
#include "config.h"
#include "grid.h"
#include "json_stream.h"

#include <string.h>

/* The object a cell's key names inside row r, and the member's own name. */
static cJSON *place_of(cJSON *r, const char *key, const char **leaf)
{
    const char *dot = strchr(key, '.');
    *leaf = dot ? dot + 1 : key;
    if (!dot)
        return r;
    char parent[64];
    snprintf(parent, sizeof parent, "%.*s", (int)(dot - key), key);
    cJSON *o = cJSON_GetObjectItemCaseSensitive(r, parent);
    return o ? o : cJSON_AddObjectToObject(r, parent);
}

static int add_cell(cJSON *r, const char *key, const struct gx_cell *x)
{
    const char *leaf;
    cJSON *into = place_of(r, key, &leaf), *v = NULL;
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
    case GX_CELL_ABSENT:
        if (into == r && !(into = cJSON_AddObjectToObject(r, key)))
            return -1;
        leaf = "absent";
        v = cJSON_CreateString(x->s ? x->s : "not measured");
        break;
    default:
        return 0;
    }
    return v && cJSON_AddItemToObject(into, leaf, v) ? 0 : (cJSON_Delete(v), -1);
}

cJSON *gx_grid_json(const struct gx_grid *g)
{
    if (g->nrows == 0)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON *rows = o ? cJSON_AddArrayToObject(o, g->rows_key) : NULL;
    for (int r = 0; rows && r < g->nrows; r++) {
        cJSON *row = gx_json_append_object(rows);
        for (int c = 0; row && c < g->ncols; c++)
            if (g->cols[c].key &&
                add_cell(row, g->cols[c].key, &g->cells[(size_t)r * (size_t)g->ncols + c]) != 0)
                row = NULL;
        if (!row)
            rows = NULL;
    }
    for (int i = 0; rows && i < g->nfacts; i++) {
        const struct gx_grid_fact *f = &g->facts[i];
        if (!(f->s ? cJSON_AddStringToObject(o, f->key, f->s)
                   : cJSON_AddNumberToObject(o, f->key, f->v)))
            rows = NULL;
    }
    if (!rows) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}
