#include "config.h"
#include "json_util.h"

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
