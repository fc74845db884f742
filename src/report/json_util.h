/* Reading reports back (absent keys read as "" or 0), and writing them. */
#ifndef GX_JSON_UTIL_H
#define GX_JSON_UTIL_H

#include <cjson/cJSON.h>

static inline const char *gx_json_str(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
    return s ? s : "";
}

static inline double gx_json_num(const cJSON *o, const char *k)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(n) ? n->valuedouble : 0;
}

/* A new object at the end of the array arr, or NULL when out of memory (arr as it was). */
static inline cJSON *gx_json_append_object(cJSON *arr)
{
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

#endif
