#include "input.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE_FORMS "N, NK, NM or NG (powers of 2^10), optionally +N, e.g. 4K or 3M+5"

static const char *form_problem(const char *text)
{
    if (!text[0])
        return "empty";
    for (const char *p = text; *p; p++)
        if (isspace((unsigned char)*p))
            return "white space";
    if (text[0] == '+')
        return "a '+' sign";
    return NULL;
}

static int digits(const char **p, unsigned long long *v, int *over)
{
    int n = 0;
    *v = 0;
    for (; isdigit((unsigned char)**p); (*p)++, n++) {
        unsigned d = (unsigned)(**p - '0');
        if (*v > (ULLONG_MAX - d) / 10)
            *over = 1;
        else
            *v = *v * 10 + d;
    }
    return n;
}

static const char *not_digit(char c, char *buf, size_t len)
{
    if (isprint((unsigned char)c))
        snprintf(buf, len, "'%c' is not a digit", c);
    else
        snprintf(buf, len, "byte 0x%02x is not a digit", (unsigned char)c);
    return buf;
}

/* Why the characters after the digits end the number: a unit where none belongs, or no digit. */
static const char *trailing(const char *p, char *buf, size_t len)
{
    if (strchr("KkMmGg", *p) && !p[1])
        return "a unit (K, M and G are for sizes)";
    return not_digit(*p, buf, len);
}

int gx_parse_int(const char *text, long long lo, long long hi, long long *out,
                 struct gx_err *err)
{
    char why_buf[48];
    const char *why = form_problem(text);
    const char *p = text;
    unsigned long long v = 0;
    int over = 0, neg = *p == '-';
    p += neg;
    if (!why && !digits(&p, &v, &over))
        why = *p ? not_digit(*p, why_buf, sizeof why_buf) : "no digits";
    else if (!why && *p)
        why = trailing(p, why_buf, sizeof why_buf);
    if (why)
        return gx_fail(err, GX_EINPUT, "'%s' is not an integer: %s (expected %lld..%lld)", text,
                       why, lo, hi);
    over |= v > (unsigned long long)LLONG_MAX + (unsigned long long)neg;
    long long x = over ? 0 : neg ? (long long)(0 - v) : (long long)v;
    if (over || x < lo || x > hi)
        return gx_fail(err, GX_EINPUT, "%s is out of range (expected %lld..%lld)", text, lo, hi);
    *out = x;
    return GX_OK;
}

int gx_parse_long(const char *text, long lo, long hi, long *out, struct gx_err *err)
{
    long long v;
    GX_TRY(gx_parse_int(text, lo, hi, &v, err));
    *out = (long)v;
    return GX_OK;
}

static void bytes_text(unsigned long long b, char *buf, size_t len)
{
    static const char unit[] = "GMK";
    for (int i = 0; i < 3; i++) {
        unsigned long long u = 1ULL << (30 - 10 * i);
        if (b >= u && b % u == 0) {
            snprintf(buf, len, "%llu%c", b / u, unit[i]);
            return;
        }
    }
    snprintf(buf, len, "%llu", b);
}

int gx_parse_bytes(const char *text, unsigned long long lo, unsigned long long hi, size_t *out,
                   struct gx_err *err)
{
    char why_buf[48];
    const char *why = form_problem(text);
    const char *p = text;
    int over = 0, neg = !why && *p == '-';
    unsigned long long total = 0;
    p += neg;
    while (!why) {
        unsigned long long v;
        if (!digits(&p, &v, &over)) {
            why = *p ? not_digit(*p, why_buf, sizeof why_buf) : "no digits at the end";
            break;
        }
        unsigned shift = 0;
        switch (*p) {
        case 'K': case 'k': shift = 10; p++; break;
        case 'M': case 'm': shift = 20; p++; break;
        case 'G': case 'g': shift = 30; p++; break;
        default: break;
        }
        if (v > (ULLONG_MAX >> shift) || total > ULLONG_MAX - (v << shift))
            over = 1;
        else
            total += v << shift;
        if (*p == '\0')
            break;
        if (*p != '+')
            why = isdigit((unsigned char)p[-1]) ? not_digit(*p, why_buf, sizeof why_buf)
                                                 : "characters after the unit";
        p++;
    }
    if (why)
        return gx_fail(err, GX_EINPUT, "bad size '%s': %s (expected %s)", text, why, SIZE_FORMS);
    if (neg || over || total < lo || total > hi || total > SIZE_MAX) {
        char a[32], b[32];
        bytes_text(lo, a, sizeof a);
        bytes_text(hi, b, sizeof b);
        return gx_fail(err, GX_EINPUT, "size '%s' is out of range (expected %s..%s)", text, a, b);
    }
    *out = (size_t)total;
    return GX_OK;
}

int gx_parse_ratio(const char *text, const char *example, double *out, struct gx_err *err)
{
    char why_buf[48];
    const char *why = form_problem(text);
    const char *p = text;
    unsigned long long ignored;
    int over = 0, n = 0;
    if (!why) {
        p += *p == '-'; /* read, so that "-0.5" is out of range, as "-1" of an integer is */
        n = digits(&p, &ignored, &over);
        if (*p == '.') {
            p++;
            n += digits(&p, &ignored, &over);
        }
        if (*p)
            why = trailing(p, why_buf, sizeof why_buf);
        else if (!n)
            why = "no digits";
    }
    if (why)
        return gx_fail(err, GX_EINPUT, "'%s' is not a decimal: %s (expected more than 0 and at "
                       "most 1, e.g. %s)", text, why, example);
    double x = strtod(text, NULL); /* only digits and one '.': strtod reads them all */
    if (!(x > 0 && x <= 1))
        return gx_fail(err, GX_EINPUT, "%s is out of range (expected more than 0 and at most 1, "
                       "e.g. %s)", text, example);
    *out = x;
    return GX_OK;
}

/* Item i repeats an earlier one, also as a byte count in another spelling ("1K" and "1024"). */
static int repeated(const char *text, char items[][GX_ITEM_MAX + 1], int i, struct gx_err *err)
{
    struct gx_err ignored;
    size_t vi = 0, vj = 0;
    int num_i = gx_parse_bytes(items[i], 0, GX_BYTES_MAX, &vi, &ignored) == GX_OK;
    for (int j = 0; j < i; j++) {
        if (strcmp(items[i], items[j]) == 0)
            return gx_fail(err, GX_EINPUT, "'%s' is given twice in '%s' (items %d and %d; "
                           "expected each item once)", items[i], text, j + 1, i + 1);
        if (num_i && gx_parse_bytes(items[j], 0, GX_BYTES_MAX, &vj, &ignored) == GX_OK &&
            vi == vj)
            return gx_fail(err, GX_EINPUT, "'%s' is given twice in '%s' (items %d '%s' and %d "
                           "'%s' are both %zu; expected each item once)", items[i], text, j + 1,
                           items[j], i + 1, items[i], vi);
    }
    return GX_OK;
}

static int split(const char *text, char items[][GX_ITEM_MAX + 1], int max, int *n, int set,
                 struct gx_err *err)
{
    *n = 0;
    for (const char *p = text;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0)
            return gx_fail(err, GX_EINPUT, "empty item in list '%s' (item %d)", text, *n + 1);
        if (len > GX_ITEM_MAX) /* the limit first: the list itself may be cut off */
            return gx_fail(err, GX_EINPUT, "item %d is %zu characters long (the limit is %d) in "
                           "list '%s'", *n + 1, len, GX_ITEM_MAX, text);
        if (*n == max)
            return gx_fail(err, GX_EINPUT, "a list of more than %d items (the limit is %d): '%s'",
                           max, max, text);
        memcpy(items[*n], p, len);
        items[(*n)++][len] = '\0';
        if (!comma)
            break;
        p = comma + 1;
    }
    /* After the list's form and limits: a list of 300 items is too long before it repeats. */
    for (int i = 1; set && i < *n; i++)
        GX_TRY(repeated(text, items, i, err));
    return GX_OK;
}

int gx_split_list(const char *text, char items[][GX_ITEM_MAX + 1], int max, int *n,
                  struct gx_err *err)
{
    return split(text, items, max, n, 1, err);
}

int gx_split_positional(const char *text, char items[][GX_ITEM_MAX + 1], int max, int *n,
                        struct gx_err *err)
{
    return split(text, items, max, n, 0, err);
}

int gx_too_long(struct gx_err *err, const char *what, size_t len, size_t limit)
{
    return gx_fail(err, GX_EINPUT, "%s is %zu characters long (the limit is %zu)", what, len,
                   limit);
}

int gx_input_printable(const char *text, struct gx_err *err)
{
    for (size_t i = 0, n; text[i]; i += n) {
        enum gx_text_kind kind;
        n = (size_t)gx_text_char(text + i, &kind);
        if (kind != GX_TEXT_CONTROL) /* a tab, UTF-8 and stray Latin-1 are a name's to hold */
            continue;
        char head[64];
        snprintf(head, sizeof head, "%s", text);
        return gx_fail(err, GX_EINPUT, "'%s%s' holds a control character at byte %zu (expected "
                       "printable text: it is shown in the table as given)", head,
                       strlen(text) >= sizeof head ? "..." : "", i + 1);
    }
    return GX_OK;
}
