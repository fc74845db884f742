#include "pairs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int alloc_pairs(struct gx_pairs *out, int nrounds, int npairs, struct gx_err *err)
{
    out->rounds = calloc((size_t)nrounds, sizeof *out->rounds);
    out->storage = calloc((size_t)(npairs ? npairs : 1), sizeof *out->storage);
    if (!out->rounds || !out->storage) {
        gx_pairs_free(out);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for %d pairs", npairs);
    }
    out->nrounds = nrounds;
    return GX_OK;
}

static int parse_rank(const char *s, char **end, int nranks, const char *spec, struct gx_err *err)
{
    errno = 0;
    long v = strtol(s, end, 10);
    if (*end == s || errno == ERANGE || v < 0)
        return gx_fail(err, GX_EINPUT, "bad pair list '%s' (expected A:B[,C:D...] or all-disjoint)",
                       spec), -1;
    if (v >= nranks)
        return gx_fail(err, GX_EINPUT, "rank %ld in '%s' is out of range (job has %d ranks: 0..%d)",
                       v, spec, nranks, nranks - 1), -1;
    return (int)v;
}

int gx_pairs_resolve(const char *spec, int nranks, struct gx_pairs *out, struct gx_err *err)
{
    memset(out, 0, sizeof *out);
    if (nranks < 2)
        return gx_fail(err, GX_EINPUT,
                       "every pattern needs a pair of ranks and this job has %d rank (run with "
                       "mpirun -np 2 or more)", nranks);
    if (strcmp(spec, "all-disjoint") == 0) {
        int n = nranks / 2;
        GX_TRY(alloc_pairs(out, 1, n, err));
        out->rounds[0] = (struct gx_round){n, out->storage};
        for (int i = 0; i < n; i++)
            out->storage[i] = (struct gx_pair){2 * i, 2 * i + 1};
        return GX_OK;
    }
    int n = 1;
    for (const char *p = spec; *p; p++)
        n += *p == ',';
    GX_TRY(alloc_pairs(out, n, n, err));
    const char *p = spec;
    for (int i = 0; i < n; i++) {
        char *end;
        int a = parse_rank(p, &end, nranks, spec, err), b = -1;
        if (a < 0)
            goto fail;
        if (*end == ':' && (b = parse_rank(end + 1, &end, nranks, spec, err)) < 0)
            goto fail;
        if (b < 0 || (*end != ',' && *end != '\0')) {
            gx_fail(err, GX_EINPUT, "bad pair list '%s' (expected A:B[,C:D...] or all-disjoint)",
                    spec);
            goto fail;
        }
        if (a == b) {
            gx_fail(err, GX_EINPUT, "pair %d:%d in '%s' names one rank twice", a, b, spec);
            goto fail;
        }
        out->storage[i] = (struct gx_pair){a < b ? a : b, a < b ? b : a};
        out->rounds[i] = (struct gx_round){1, &out->storage[i]};
        p = end + (*end == ',');
    }
    return GX_OK;
fail:
    gx_pairs_free(out);
    return GX_EINPUT;
}

void gx_pairs_free(struct gx_pairs *p)
{
    free(p->rounds);
    free(p->storage);
    memset(p, 0, sizeof *p);
}

const struct gx_pair *gx_round_find(const struct gx_round *round, int rank)
{
    for (int i = 0; i < round->npairs; i++)
        if (round->pairs[i].a == rank || round->pairs[i].b == rank)
            return &round->pairs[i];
    return NULL;
}
