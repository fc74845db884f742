/* Reading reports back (rank 0's summaries of its own results): absent keys read as "" or 0. */
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

#endif
