/* The table of pair schemes, the pair list it falls back on (whatever is no keyword) and the
 * schemes of one round or one pair a round; the circle schemes are in scheme_circle.c. */
#include "scheme.h"

#include "input.h"

#include <stdlib.h>
#include <string.h>

const struct gx_scheme *const gx_schemes[] = {
    &gx_scheme_disjoint, &gx_scheme_all, &gx_scheme_concurrent, &gx_scheme_rails,
    &gx_scheme_nodes, &gx_scheme_intra, &gx_scheme_ring, &gx_scheme_job, &gx_scheme_node,
    &gx_scheme_list, /* last: whatever is no keyword */
    NULL,
};

const struct gx_scheme *gx_scheme_of(const char *spec)
{
    for (int i = 0; gx_schemes[i]; i++)
        if (!gx_schemes[i]->name || strcmp(gx_schemes[i]->name, spec) == 0)
            return gx_schemes[i];
    return &gx_scheme_list;
}

const char *gx_scheme_keywords(void)
{
    static char words[256];
    if (!words[0])
        for (int i = 0; gx_schemes[i]; i++)
            if (gx_schemes[i]->name)
                gx_list_add(words, sizeof words, ", ", gx_schemes[i]->name);
    return words;
}

static int check_layout(const struct gx_scheme *s, const struct gx_layout *l, struct gx_err *err)
{
    if (!s->needs_nodes)
        return GX_OK;
    if (!l->per_node)
        return gx_fail(err, GX_EINPUT, "%s needs the same number of ranks on every node, "
                       "and this job's %d nodes hold different numbers (launch with "
                       "--ntasks-per-node / -npernode)", s->name, l->nnodes);
    if (s->needs_nodes > 1 && l->nnodes < 2)
        return gx_fail(err, GX_EINPUT, "%s pairs ranks of different nodes, and this job "
                       "has one node (%d ranks)", s->name, l->nranks);
    if (s->needs_nodes == 1 && l->per_node < 2)
        return gx_fail(err, GX_EINPUT, "%s pairs ranks of one node, and this job has "
                       "one rank per node", s->name);
    return GX_OK;
}

static int build_list(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                      struct gx_err *err);

int gx_pairs_resolve(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
                     struct gx_err *err)
{
    memset(out, 0, sizeof *out);
    if (l->nranks < 2)
        return gx_fail(err, GX_EINPUT,
                       "every pattern needs a pair of ranks and this job has %d rank (run with "
                       "mpirun -np 2 or more)", l->nranks);
    const struct gx_scheme *s = gx_scheme_of(spec);
    GX_TRY(check_layout(s, l, err));
    GX_TRY(s->build ? s->build(l, out, err) : build_list(spec, l, out, err));
    out->scheme = s;
    return GX_OK;
}

static int bad_list(const char *spec, struct gx_err *err)
{
    return gx_fail(err, GX_EINPUT, "bad pair list '%s' (expected A:B[,C:D...] or one of %s)",
                   spec, gx_scheme_keywords());
}

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

static int build_list(const char *spec, const struct gx_layout *l, struct gx_pairs *out,
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
    int given; /* the list rule finds "0:1,0:1"; this, 0:1 then 1:0 */
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
};

/* all-disjoint: 0:1, 2:3, ... all at once, in one round. */
static int build_disjoint(const struct gx_layout *l, struct gx_pairs *out, struct gx_err *err)
{
    int n = l->nranks / 2;
    GX_TRY(gx_pairs_alloc(out, 1, n, err));
    out->rounds[0] = (struct gx_round){n, out->storage, NULL};
    for (int i = 0; i < n; i++)
        out->storage[i] = (struct gx_pair){2 * i, 2 * i + 1};
    return GX_OK;
}

const struct gx_scheme gx_scheme_disjoint = {
    .name = "all-disjoint",
    .what = "0:1, 2:3, ... at once, in one round",
    .build = build_disjoint,
};

/* all: every ordered pair alone, in shift order (rank i with i+k) as mpiGraph walks the ranks. */
static int build_all(const struct gx_layout *l, struct gx_pairs *out, struct gx_err *err)
{
    int nranks = l->nranks;
    long n = (long)nranks * (nranks - 1);
    if (n > 1L << 30)
        return gx_fail(err, GX_EINPUT, "--pairs all on %d ranks is %ld measurements of one "
                       "pair each (use rails, nodes or all-concurrent)", nranks, n);
    GX_TRY(gx_pairs_one_per_round(out, (int)n, err));
    long i = 0;
    for (int k = 1; k < nranks; k++)
        for (int r = 0; r < nranks; r++)
            out->storage[i++] = (struct gx_pair){r, (r + k) % nranks};
    return GX_OK;
}

const struct gx_scheme gx_scheme_all = {
    .name = "all",
    .what = "every ordered pair of ranks, one at a time (N(N-1) rounds)",
    .views = GX_VIEW_RANKS,
    .build = build_all,
};

/* ring: each rank with the next, one pair at a time: every rank initiates once, alone. */
static int build_ring(const struct gx_layout *l, struct gx_pairs *out, struct gx_err *err)
{
    int n = l->nranks;
    if (n < 2)
        return gx_fail(err, GX_EINPUT, "--pairs ring needs 2 ranks at least (the job has %d)", n);
    GX_TRY(gx_pairs_one_per_round(out, n, err));
    for (int r = 0; r < n; r++)
        out->storage[r] = (struct gx_pair){r, (r + 1) % n};
    return GX_OK;
}

const struct gx_scheme gx_scheme_ring = {
    .name = "ring",
    .what = "each rank with the next, the last with rank 0, one at a time (N rounds)",
    .build = build_ring,
};

/* One round of groups: group_of[r] = group(r), a group of one rank none; no group: one of all. */
static int build_groups(const struct gx_layout *l, const int *group, int ngroups,
                        struct gx_pairs *out, const char *name, struct gx_err *err)
{
    int *size = calloc((size_t)ngroups, sizeof *size), n = 0;
    int *entry = calloc((size_t)ngroups, sizeof *entry);
    int *group_of = calloc((size_t)l->nranks, sizeof *group_of);
    int rc = size && entry && group_of ? GX_OK
                                       : gx_fail(err, GX_ERUNTIME, "out of host memory for %d "
                                                 "ranks' groups", l->nranks);
    for (int r = 0; rc == GX_OK && r < l->nranks; r++)
        size[group ? group[r] : 0]++;
    for (int g = 0; rc == GX_OK && g < ngroups; g++)
        entry[g] = size[g] > 1 ? n++ : -1;
    if (rc == GX_OK && n == 0)
        rc = gx_fail(err, GX_EINPUT, "--pairs %s: no group of 2 ranks or more (the collectives "
                     "need one; %d ranks on %d nodes)", name, l->nranks, l->nnodes);
    if (rc == GX_OK)
        rc = gx_pairs_alloc(out, 1, n, err);
    if (rc == GX_OK) {
        out->rounds[0] = (struct gx_round){n, out->storage, group_of};
        for (int g = 0; g < n; g++)
            out->storage[g] = (struct gx_pair){-1, -1};
        for (int r = 0; r < l->nranks; r++) {
            int e = group_of[r] = entry[group ? group[r] : 0];
            if (e >= 0 && out->storage[e].a < 0)
                out->storage[e].a = r;
            if (e >= 0)
                out->storage[e].b = r;
        }
        out->group_storage = group_of;
        group_of = NULL;
    }
    free(size);
    free(entry);
    free(group_of);
    return rc;
}

static int build_job(const struct gx_layout *l, struct gx_pairs *out, struct gx_err *err)
{
    return build_groups(l, NULL, 1, out, "job", err);
}

static int build_node(const struct gx_layout *l, struct gx_pairs *out, struct gx_err *err)
{
    return build_groups(l, l->node_of, l->nnodes, out, "node", err);
}

const struct gx_scheme gx_scheme_job = {
    .name = "job",
    .what = "every rank of the job in one group, for the collectives (one round)",
    .groups = 1,
    .build = build_job,
};

const struct gx_scheme gx_scheme_node = {
    .name = "node",
    .what = "the ranks of each node in a group of their own, all nodes at once, for the "
            "collectives",
    .groups = 1,
    .build = build_node,
};
