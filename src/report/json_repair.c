#include "config.h"
#include "json_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 where none starts. */
static size_t seq_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    /* The second byte's valid ranges (RFC 3629). */
    unsigned lo = 0x80, hi = 0xbf;
    size_t n;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
        hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
    } else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

char *gx_utf8_repaired(const char *s, int *oom)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t bad = 0, len = 0;
    for (size_t k; p[len]; len += k ? k : 1)
        bad += (k = seq_len(p + len)) == 0;
    if (!bad)
        return NULL;
    char *out = malloc(len + 2 * bad + 1); /* each bad byte grows to the 3 bytes of U+FFFD */
    if (!out) {
        *oom = 1;
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0, k; i < len; i += k ? k : 1) {
        if ((k = seq_len(p + i)) == 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
        } else {
            memcpy(out + o, p + i, k);
            o += k;
        }
    }
    out[o] = '\0';
    return out;
}

/* 1 if it was repaired, -1 when out of memory. */
static int repair_string(char **s)
{
    int oom = 0;
    char *fixed = *s ? gx_utf8_repaired(*s, &oom) : NULL;
    if (!fixed)
        return oom ? -1 : 0;
    cJSON_free(*s);
    *s = fixed; /* cJSON frees it with cJSON_free, which is free() unless hooks are set */
    return 1;
}

static int note(cJSON *notes, const char *where)
{
    cJSON *s = cJSON_CreateString(where);
    return s && cJSON_AddItemToArray(notes, s) ? 0 : -1;
}

/* `where` holds item's place, `len` its length. */
static int walk(cJSON *item, char *where, size_t len, size_t cap, cJSON *notes)
{
    int n = 0, i = 0;
    cJSON *c;
    cJSON_ArrayForEach(c, item) {
        if (c == notes)
            continue;
        int k = 0, v = 0;
        if (cJSON_IsObject(item))
            k = repair_string(&c->string);
        size_t l = cJSON_IsObject(item)
                       ? (size_t)snprintf(where + len, cap - len, "%s%s", len ? "." : "", c->string)
                       : (size_t)snprintf(where + len, cap - len, "[%d]", i);
        l = len + (l < cap - len ? l : cap - len - 1);
        if (cJSON_IsString(c))
            v = repair_string(&c->valuestring);
        if (k < 0 || v < 0 || ((k || v) && note(notes, where) < 0))
            return -1;
        n += k || v;
        if (cJSON_IsArray(c) || cJSON_IsObject(c)) {
            int sub = walk(c, where, l, cap, notes);
            if (sub < 0)
                return -1;
            n += sub;
        }
        where[len] = '\0';
        i++;
    }
    return n;
}

int gx_json_repair_at(cJSON *item, const char *place, cJSON *notes)
{
    char where[512];
    size_t len = (size_t)snprintf(where, sizeof where, "%s", place);
    return walk(item, where, len < sizeof where ? len : sizeof where - 1, sizeof where, notes);
}

int gx_json_repair(cJSON *item)
{
    cJSON *notes = cJSON_GetObjectItemCaseSensitive(item, GX_JSON_REPAIRED_KEY);
    int made = !notes;
    if (made && !(notes = cJSON_CreateArray()))
        return -1;
    int n = gx_json_repair_at(item, "", notes);
    if (made && cJSON_GetArraySize(notes) > 0)
        cJSON_AddItemToObject(item, GX_JSON_REPAIRED_KEY, notes);
    else if (made)
        cJSON_Delete(notes);
    return n;
}

int gx_stream_repaired(struct gx_jstream *w, cJSON *item)
{
    cJSON *places = cJSON_CreateArray();
    int e = places && gx_json_repair_at(item, "", places) >= 0 ? gx_stream_item(w, item, NULL, NULL)
                                                               : ENOMEM;
    cJSON_Delete(places);
    return e;
}
