#include "sizes.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SIZE_FORMS "N, NK, NM or NG (powers of 2^10), optionally +N, e.g. 4K or 3M+5"

/* One term "N[KMG]"; *end is left after it. */
static int parse_term(const char *s, const char *whole, const char **end, size_t *out,
                      struct gx_err *err)
{
    if (!isdigit((unsigned char)*s))
        return gx_fail(err, GX_EINPUT, "bad size '%s' (expected %s)", whole, SIZE_FORMS);
    errno = 0;
    char *e;
    unsigned long long v = strtoull(s, &e, 10);
    if (errno == ERANGE)
        return gx_fail(err, GX_EINPUT, "size '%s' is too large", whole);
    unsigned shift = 0;
    switch (*e) {
    case 'K': case 'k': shift = 10; e++; break;
    case 'M': case 'm': shift = 20; e++; break;
    case 'G': case 'g': shift = 30; e++; break;
    default: break;
    }
    if (shift && v > (SIZE_MAX >> shift))
        return gx_fail(err, GX_EINPUT, "size '%s' is too large", whole);
    *out = (size_t)v << shift;
    *end = e;
    return GX_OK;
}

int gx_parse_size(const char *text, size_t *out, struct gx_err *err)
{
    const char *p = text;
    size_t total = 0;
    for (;;) {
        size_t term = 0;
        GX_TRY(parse_term(p, text, &p, &term, err));
        if (total > SIZE_MAX - term)
            return gx_fail(err, GX_EINPUT, "size '%s' is too large", text);
        total += term;
        if (*p == '\0')
            break;
        if (*p != '+')
            return gx_fail(err, GX_EINPUT, "bad size '%s' (expected %s)", text, SIZE_FORMS);
        p++;
    }
    if (total == 0)
        return gx_fail(err, GX_EINPUT, "size '%s' is 0 (expected at least 1 byte)", text);
    *out = total;
    return GX_OK;
}

static int push(struct gx_size_list *l, size_t v, struct gx_err *err)
{
    if (l->n == GX_MAX_SIZES)
        return gx_fail(err, GX_EINPUT, "more than %d sizes", GX_MAX_SIZES);
    l->v[l->n++] = v;
    return GX_OK;
}

int gx_parse_sizes(const char *text, struct gx_size_list *out, struct gx_err *err)
{
    char buf[1024];
    if (strlen(text) >= sizeof buf)
        return gx_fail(err, GX_EINPUT, "size list is too long (%zu characters)", strlen(text));
    strcpy(buf, text);
    out->n = 0;
    char *colon = strchr(buf, ':');
    if (colon) {
        *colon = '\0';
        size_t lo, hi;
        if (strchr(colon + 1, ':') || strchr(buf, ','))
            return gx_fail(err, GX_EINPUT, "bad size range '%s' (expected MIN:MAX, e.g. 1:1G)", text);
        GX_TRY(gx_parse_size(buf, &lo, err));
        GX_TRY(gx_parse_size(colon + 1, &hi, err));
        if (lo > hi)
            return gx_fail(err, GX_EINPUT, "bad size range '%s' (MIN is larger than MAX)", text);
        for (size_t v = lo; v <= hi; v *= 2) {
            GX_TRY(push(out, v, err));
            if (v > SIZE_MAX / 2)
                break;
        }
        return GX_OK;
    }
    char *save = NULL;
    if (buf[0] == '\0' || buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
        return gx_fail(err, GX_EINPUT, "bad size list '%s' (empty item; expected e.g. 8,4K,1M)", text);
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t v;
        GX_TRY(gx_parse_size(tok, &v, err));
        GX_TRY(push(out, v, err));
    }
    return GX_OK;
}

void gx_format_size(size_t bytes, char *buf, size_t len)
{
    static const char unit[] = {'G', 'M', 'K'};
    for (int i = 0; i < 3; i++) {
        unsigned shift = 30 - 10 * i;
        size_t whole = bytes >> shift;
        if (whole == 0)
            continue;
        size_t rest = bytes - (whole << shift);
        if (rest == 0)
            snprintf(buf, len, "%zu%c", whole, unit[i]);
        else if (rest < 100) /* "1M+3", not "3K+1023" */
            snprintf(buf, len, "%zu%c+%zu", whole, unit[i], rest);
        else
            continue;
        return;
    }
    snprintf(buf, len, "%zu", bytes);
}

enum gx_size_class gx_size_class(size_t b)
{
    if (b <= 4 * GX_KIB) return GX_CLASS_TINY;
    if (b <= 64 * GX_KIB) return GX_CLASS_SMALL;
    if (b <= GX_MIB) return GX_CLASS_MEDIUM;
    if (b <= 16 * GX_MIB) return GX_CLASS_LARGE;
    if (b <= 128 * GX_MIB) return GX_CLASS_XLARGE;
    return GX_CLASS_HUGE;
}

const char *gx_size_class_name(enum gx_size_class c)
{
    static const char *const names[GX_CLASS_COUNT] = {
        [GX_CLASS_TINY] = "tiny",   [GX_CLASS_SMALL] = "small",   [GX_CLASS_MEDIUM] = "medium",
        [GX_CLASS_LARGE] = "large", [GX_CLASS_XLARGE] = "xlarge", [GX_CLASS_HUGE] = "huge",
    };
    return (unsigned)c < GX_CLASS_COUNT ? names[c] : "?";
}
