/* Reading reports back (rank 0's summaries of its own results): absent keys read as "" or 0. */
#ifndef GX_JSON_UTIL_H
#define GX_JSON_UTIL_H

#include <cjson/cJSON.h>
#include <string.h>

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

/* Two results measured the same way: path, memory kinds, chunk and depth. */
static inline int gx_json_same_config(const cJSON *x, const cJSON *y)
{
    const cJSON *mx = cJSON_GetObjectItemCaseSensitive(x, "mem");
    const cJSON *my = cJSON_GetObjectItemCaseSensitive(y, "mem");
    return strcmp(gx_json_str(x, "path"), gx_json_str(y, "path")) == 0 &&
           strcmp(gx_json_str(mx, "src"), gx_json_str(my, "src")) == 0 &&
           strcmp(gx_json_str(mx, "dst"), gx_json_str(my, "dst")) == 0 &&
           gx_json_num(x, "chunk") == gx_json_num(y, "chunk") &&
           gx_json_num(x, "depth") == gx_json_num(y, "depth");
}

#endif
