#include "sizes.h"

#include "input.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gx_parse_size(const char *text, size_t *out, struct gx_err *err)
{
    return gx_parse_bytes(text, 1, GX_BYTES_MAX, out, err);
}

static int push(struct gx_size_list *l, size_t v, struct gx_err *err)
{
    if (l->n == GX_MAX_SIZES)
        return gx_fail(err, GX_EINPUT, "more than %d sizes (the limit is %d)", GX_MAX_SIZES,
                       GX_MAX_SIZES);
    l->v[l->n++] = v;
    return GX_OK;
}

static int parse_range(const char *text, const char *colon, struct gx_size_list *out,
                       struct gx_err *err)
{
    char lo_text[GX_ITEM_MAX + 1];
    size_t len = (size_t)(colon - text), lo, hi;
    if (strchr(colon + 1, ':') || memchr(text, ',', len) || strchr(colon, ','))
        return gx_fail(err, GX_EINPUT, "bad size range '%s' (expected MIN:MAX, e.g. 1:1G)", text);
    if (len > GX_ITEM_MAX || strlen(colon + 1) > GX_ITEM_MAX)
        return gx_fail(err, GX_EINPUT, "size range '%s': a bound is longer than %d characters "
                       "(the limit)", text, GX_ITEM_MAX);
    memcpy(lo_text, text, len);
    lo_text[len] = '\0';
    GX_TRY(gx_parse_size(lo_text, &lo, err));
    GX_TRY(gx_parse_size(colon + 1, &hi, err));
    if (lo > hi)
        return gx_fail(err, GX_EINPUT, "bad size range '%s' (MIN is larger than MAX)", text);
    size_t last = lo;
    for (size_t v = lo; v <= hi; v *= 2) {
        GX_TRY(push(out, v, err));
        last = v;
        if (v > SIZE_MAX / 2)
            break;
    }
    if (last != hi) /* 3:17 would quietly measure 3, 6, 12 */
        return gx_fail(err, GX_EINPUT, "size range '%s': doubling from %zu reaches %zu, never %zu "
                       "(MAX is MIN times a power of two, e.g. %zu:%zu or %zu:%zu; or list the "
                       "sizes: A,B,C)", text, lo, last, hi, lo, last, lo,
                       last <= SIZE_MAX / 2 ? 2 * last : last);
    return GX_OK;
}

int gx_parse_sizes(const char *text, struct gx_size_list *out, struct gx_err *err)
{
    out->n = 0;
    const char *colon = strchr(text, ':');
    if (colon)
        return parse_range(text, colon, out, err);
    static char items[GX_MAX_SIZES][GX_ITEM_MAX + 1]; /* 16 KiB: not on a thread's stack */
    int n;
    GX_TRY(gx_split_list(text, items, GX_MAX_SIZES, &n, err));
    for (int i = 0; i < n; i++) {
        size_t v;
        /* "1M-4M": a range in the spelling of other tools; say how gpuxfer writes one. */
        const char *dash = strchr(items[i], '-');
        if (dash && dash != items[i] && strchr("0123456789KMGkmg", dash[-1]))
            return gx_fail(err, GX_EINPUT, "bad size '%s' (a range is written MIN:MAX, e.g. "
                           "%.*s:%s; a list A,B,C)", items[i], (int)(dash - items[i]), items[i],
                           dash + 1);
        GX_TRY(gx_parse_size(items[i], &v, err));
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

/* Four significant digits; 9.9996 rounded up to 10.000 has a digit too many. */
static void four_digits(double v, int max, const char *suffix, char *buf, size_t len)
{
    int decimals = 3 - (int)floor(log10(fabs(v)));
    decimals = decimals < 0 ? 0 : decimals > max ? max : decimals;
    snprintf(buf, len, "%.*f%s", decimals, v, suffix);
    if (decimals > 0 && fabs(strtod(buf, NULL)) >= pow(10, 4 - decimals))
        snprintf(buf, len, "%.*f%s", decimals - 1, v, suffix);
}

void gx_format_value(double v, char *buf, size_t len)
{
    if (v == 0 || !isfinite(v))
        snprintf(buf, len, "%g", v);
    else if (fabs(v) < 0.001) /* 1.308e-05: the width of 0.001234 */
        snprintf(buf, len, "%.3e", v);
    else
        four_digits(v, 9, "", buf, len);
}

int gx_format_gbs(double gbs, char *buf, size_t len)
{
    if (!(gbs > 0 && gbs < GX_GBS_AS_MBS)) { /* 0, NaN and the rest as any value */
        gx_format_value(gbs, buf, len);
        return 0;
    }
    four_digits(gbs * 1e3, 5, "M", buf, len);
    return 1;
}

void gx_format_in_unit(double v, const char *unit, char *buf, size_t len)
{
    if (gx_unit_is_gbs(unit))
        gx_format_gbs(v, buf, len);
    else
        gx_format_value(v, buf, len);
}

void gx_print_mbs_legend(FILE *f)
{
    static FILE *said; /* the table is one stream: the legend once, whichever view needs it first */
    if (f == said)
        return;
    said = f;
    fprintf(f, "# M after a value: MB/s, as bandwidths below %g GB/s print (the report keeps "
            "GB/s)\n", GX_GBS_AS_MBS);
}

void gx_format_gbs_words(double gbs, char *buf, size_t len)
{
    if (gbs > 0 && gbs < GX_GBS_AS_MBS) {
        char v[32];
        gx_format_gbs(gbs, v, sizeof v);
        v[strlen(v) - 1] = '\0'; /* the M: said as the unit */
        snprintf(buf, len, "%s MB/s", v);
    } else
        snprintf(buf, len, "%.3f GB/s", gbs);
}

int gx_unit_is_gbs(const char *unit)
{
    return unit && strcmp(unit, "GB/s") == 0;
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
