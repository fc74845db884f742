/* The report written as a stream: members whose items are made only as they are written, and
 * text repaired to valid UTF-8 on the way. */
#include "config.h"
#include "json_stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A slot is a raw item printed as MARK slot MARK: cJSON escapes control characters in strings
 * and keys (\u0001), so this byte in its output can only be a slot. */
#define MARK '\001'

cJSON *gx_stream_slot(int slot)
{
    char raw[24];
    snprintf(raw, sizeof raw, "%c%d%c", MARK, slot, MARK);
    return cJSON_CreateRaw(raw);
}

static int flush(struct gx_jstream *w)
{
    int e = w->len ? w->out(w->out_ctx, w->buf, w->len) : 0;
    w->len = 0;
    return e;
}

static int put(struct gx_jstream *w, const char *s, size_t n)
{
    while (n) {
        if (w->len == sizeof w->buf) {
            int e = flush(w);
            if (e)
                return e;
        }
        size_t k = sizeof w->buf - w->len < n ? sizeof w->buf - w->len : n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
    return 0;
}

/* Moved `extra` tabs deeper: cJSON escapes line breaks within strings, so every one in its
 * output starts an indented line. */
static int put_indented(struct gx_jstream *w, const char *s, size_t n, int extra)
{
    const char *end = s + n;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t k = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        int e = put(w, s, k);
        for (int i = 0; nl && !e && i < extra; i++)
            e = put(w, "\t", 1);
        if (e)
            return e;
        s += k;
    }
    return 0;
}

static int print_at(struct gx_jstream *w, const cJSON *item, int extra);

/* cJSON counts an array as a level, though it breaks no line. */
static int fill_slot(struct gx_jstream *w, int slot, int depth)
{
    int e = put(w, "[", 1);
    int depth0 = w->depth, first0 = w->first;
    w->depth = depth;
    w->first = 1;
    if (!e)
        e = w->fill(w, slot, w->fill_ctx);
    w->depth = depth0;
    w->first = first0;
    return e ? e : put(w, "]", 1);
}

static int print_at(struct gx_jstream *w, const cJSON *item, int extra)
{
    char *text = cJSON_Print(item);
    if (!text)
        return ENOMEM;
    int e = 0;
    const char *s = text, *line = text;
    for (const char *m; !e && (m = strchr(s, MARK));) {
        for (const char *p = s; p < m; p++)
            if (*p == '\n')
                line = p + 1;
        int tabs = 0;
        while (line[tabs] == '\t')
            tabs++;
        char *close;
        long slot = strtol(m + 1, &close, 10);
        e = put_indented(w, s, (size_t)(m - s), extra);
        if (!e)
            e = fill_slot(w, (int)slot, tabs + extra + 1);
        s = close + 1;
    }
    if (!e)
        e = put_indented(w, s, strlen(s), extra);
    cJSON_free(text);
    return e;
}

int gx_stream_doc(struct gx_jstream *w, const cJSON *doc)
{
    w->len = 0;
    w->depth = 0;
    w->first = 1;
    int e = print_at(w, doc, 0);
    return e ? e : flush(w);
}

int gx_stream_item(struct gx_jstream *w, const cJSON *item, gx_stream_fill fill, void *ctx)
{
    int e = w->first ? 0 : put(w, ", ", 2);
    w->first = 0;
    gx_stream_fill fill0 = w->fill;
    void *ctx0 = w->fill_ctx;
    if (fill) {
        w->fill = fill;
        w->fill_ctx = ctx;
    }
    if (!e)
        e = print_at(w, item, w->depth);
    w->fill = fill0;
    w->fill_ctx = ctx0;
    return e;
}

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

int gx_json_repair(cJSON *item, const char *place, cJSON *notes_in)
{
    cJSON *notes = cJSON_GetObjectItemCaseSensitive(notes_in, GX_JSON_REPAIRED_KEY);
    int made = !notes;
    if (made && !(notes = cJSON_CreateArray()))
        return -1;
    char where[512];
    size_t len = (size_t)snprintf(where, sizeof where, "%s", place);
    int n = walk(item, where, len < sizeof where ? len : sizeof where - 1, sizeof where, notes);
    if (made && notes_in && cJSON_GetArraySize(notes) > 0)
        cJSON_AddItemToObject(notes_in, GX_JSON_REPAIRED_KEY, notes);
    else if (made)
        cJSON_Delete(notes);
    return n;
}
