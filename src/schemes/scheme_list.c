/* A:B[,C:D...]: the pairs given, one after another. */
#include "scheme.h"

#include "input.h"

#include <stdlib.h>
#include <string.h>

static int bad_list(const char *spec, struct gx_err *err)
{
    return gx_fail(err, GX_EINPUT, "bad pair list '%s' (expected A:B[,C:D...] or one of %s)",
                   spec, gx_scheme_keywords());
}

/* The rank at s, up to the next ':' or ',' (*end): a number by the one rule, 0..nranks-1. */
static int parse_rank(const char *s, const char **end, int nranks, const char *spec,
                      struct gx_err *err)
{
    char text[GX_ITEM_MAX + 1];
    size_t len = strcspn(s, ":,");
    *end = s + len;
    if (len > GX_ITEM_MAX)
        return gx_fail(err, GX_EINPUT, "bad pair list '%s': a rank is longer than %d characters "
                       "(the limit)", spec, GX_ITEM_MAX), -1;
    memcpy(text, s, len);
    text[len] = '\0';
    long long v;
    if (gx_parse_int(text, 0, nranks - 1, &v, err) != GX_OK)
        return gx_wrap(err, "rank '%s' in '%s' (the job has %d ranks; expected A:B[,C:D...] or "
                       "one of %s)", text, spec, nranks, gx_scheme_keywords()), -1;
    return (int)v;
}

static int build(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                 struct gx_err *err)
{
    int n = 1;
    for (const char *p = spec; *p; p++)
        n += *p == ',';
    GX_TRY(gx_pairs_one_per_round(out, n, err));
    const char *p = spec;
    for (int i = 0; i < n; i++) {
        const char *end;
        int a = parse_rank(p, &end, l->nranks, spec, err), b = -1;
        if (a < 0)
            goto fail;
        if (*end == ':' && (b = parse_rank(end + 1, &end, l->nranks, spec, err)) < 0)
            goto fail;
        if (b < 0 || (*end != ',' && *end != '\0')) {
            bad_list(spec, err);
            goto fail;
        }
        if (a == b) {
            gx_fail(err, GX_EINPUT, "pair %d:%d in '%s' names one rank twice", a, b, spec);
            goto fail;
        }
        out->storage[i] = (struct gx_pair){a < b ? a : b, a < b ? b : a};
        p = end + (*end == ',');
    }
    /* Each pair once: the one list rule names a pair given twice as it was written, the pairs
     * as measured (lower rank first) name 1:0 after 0:1. */
    int given;
    char(*items)[GX_ITEM_MAX + 1] = malloc((size_t)n * sizeof *items);
    if (!items) {
        gx_fail(err, GX_ERUNTIME, "out of host memory for %d pairs", n);
        goto fail;
    }
    int rc = gx_split_list(spec, items, n, &given, err);
    for (int i = 0; rc == GX_OK && i < n; i++)
        for (int j = 0; rc == GX_OK && j < i; j++)
            if (out->storage[j].a == out->storage[i].a && out->storage[j].b == out->storage[i].b)
                rc = gx_fail(err, GX_EINPUT, "pair %s in '%s' is pair %s again (a pair is "
                             "measured from its lower rank; expected each pair once)", items[i],
                             spec, items[j]);
    free(items);
    if (rc != GX_OK)
        goto fail;
    return GX_OK;
fail:
    gx_pairs_free(out);
    return GX_EINPUT;
}

const struct gx_scheme gx_scheme_list = {
    .name = NULL,
    .what = "the pairs listed, one after another",
    .build = build,
};
