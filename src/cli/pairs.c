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
        return gx_fail(err, GX_EINPUT, "bad pair list '%s' (expected A:B[,C:D...], all-disjoint, all or all-concurrent)",
                       spec), -1;
    if (v >= nranks)
        return gx_fail(err, GX_EINPUT, "rank %ld in '%s' is out of range (job has %d ranks: 0..%d)",
                       v, spec, nranks, nranks - 1), -1;
    return (int)v;
}

/* --pairs all: every ordered pair alone, so that nothing else loads the fabric while it is
 * measured; in shift order (rank i with i+k, k = 1..N-1) as mpiGraph walks the ranks. The
 * initiator `a` is the sender of bw, so (i, j) and (j, i) are two measurements. */
static int all_isolated(int nranks, struct gx_pairs *out, struct gx_err *err)
{
    int n = nranks * (nranks - 1);
    GX_TRY(alloc_pairs(out, n, n, err));
    int i = 0;
    for (int k = 1; k < nranks; k++)
        for (int r = 0; r < nranks; r++, i++) {
            out->storage[i] = (struct gx_pair){r, (r + k) % nranks};
            out->rounds[i] = (struct gx_round){1, &out->storage[i]};
        }
    return GX_OK;
}

/* --pairs all-concurrent: every ordered pair, in rounds of disjoint pairs that run at once, so
 * every rank is busy in every round (one idles per round when N is odd). Round-robin
 * ("circle") scheduling gives the fewest rounds: N-1 rounds (N even) cover each unordered pair
 * once; the same rounds again with the roles swapped cover the other direction. */
static int all_concurrent(int nranks, struct gx_pairs *out, struct gx_err *err)
{
    int m = nranks + (nranks & 1); /* rank m-1 is a phantom when N is odd */
    int half = m / 2, nrounds = 2 * (m - 1);
    GX_TRY(alloc_pairs(out, nrounds, nranks * (nranks - 1), err));
    struct gx_pair *next = out->storage;
    for (int r = 0; r < nrounds; r++) {
        int base = r % (m - 1), swap = r >= m - 1;
        out->rounds[r].pairs = next;
        for (int i = 0; i < half; i++) {
            int x = i == 0 ? m - 1 : (base + i) % (m - 1);
            int y = (base - i + (m - 1)) % (m - 1);
            if (x >= nranks || y >= nranks)
                continue;
            *next++ = swap ? (struct gx_pair){y, x} : (struct gx_pair){x, y};
            out->rounds[r].npairs++;
        }
    }
    return GX_OK;
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
    if (strcmp(spec, "all") == 0)
        return all_isolated(nranks, out, err);
    if (strcmp(spec, "all-concurrent") == 0)
        return all_concurrent(nranks, out, err);
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
            gx_fail(err, GX_EINPUT, "bad pair list '%s' (expected A:B[,C:D...], all-disjoint, all or all-concurrent)",
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
