#include "pairs.h"

#include <stdlib.h>
#include <string.h>

int gx_pairs_alloc(struct gx_pairs *out, int nrounds, long npairs, struct gx_err *err)
{
    out->rounds = calloc((size_t)(nrounds ? nrounds : 1), sizeof *out->rounds);
    out->storage = calloc((size_t)(npairs ? npairs : 1), sizeof *out->storage);
    if (!out->rounds || !out->storage) {
        gx_pairs_free(out);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for %ld pairs", npairs);
    }
    out->nrounds = nrounds;
    return GX_OK;
}

int gx_pairs_one_per_round(struct gx_pairs *out, int n, struct gx_err *err)
{
    GX_TRY(gx_pairs_alloc(out, n, n, err));
    for (int i = 0; i < n; i++)
        out->rounds[i] = (struct gx_round){1, &out->storage[i], NULL};
    return GX_OK;
}

void gx_layout_free(struct gx_layout *l)
{
    free(l->node_of);
    free(l->local_of);
    free(l->rank_at);
    memset(l, 0, sizeof *l);
}

int gx_layout_make(int nranks, const int *node_of, struct gx_layout *l, struct gx_err *err)
{
    memset(l, 0, sizeof *l);
    l->nranks = nranks;
    l->node_of = calloc((size_t)(nranks > 0 ? nranks : 1), sizeof *l->node_of);
    l->local_of = calloc((size_t)(nranks > 0 ? nranks : 1), sizeof *l->local_of);
    int *count = calloc((size_t)(nranks > 0 ? nranks : 1), sizeof *count);
    if (!l->node_of || !l->local_of || !count) {
        free(count);
        gx_layout_free(l);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the layout of %d ranks", nranks);
    }
    for (int r = 0; r < nranks; r++) {
        int n = node_of ? node_of[r] : 0;
        if (n < 0 || n >= nranks) {
            free(count);
            gx_layout_free(l);
            return gx_fail(err, GX_ERUNTIME, "rank %d has node index %d of %d ranks", r, n, nranks);
        }
        l->node_of[r] = n;
        l->local_of[r] = count[n]++;
        l->nnodes = n + 1 > l->nnodes ? n + 1 : l->nnodes;
    }
    l->per_node = l->nnodes ? count[0] : 0;
    for (int n = 0; n < l->nnodes; n++)
        if (count[n] != l->per_node)
            l->per_node = 0; /* uneven: the node schemes say so */
    free(count);
    if (!l->per_node)
        return GX_OK;
    if (!(l->rank_at = malloc((size_t)nranks * sizeof *l->rank_at))) {
        gx_layout_free(l);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the layout of %d ranks", nranks);
    }
    for (int r = 0; r < nranks; r++)
        l->rank_at[l->node_of[r] * l->per_node + l->local_of[r]] = r;
    return GX_OK;
}

int gx_layout_assume(int nnodes, int per_node, struct gx_layout *l, struct gx_err *err)
{
    if (nnodes < 1 || per_node < 1 || nnodes > 1000000 / per_node)
        return gx_fail(err, GX_EINPUT, "an assumed layout of %d nodes x %d ranks is not one of "
                       "1 to 1000000 ranks", nnodes, per_node);
    int n = nnodes * per_node;
    int *node_of = malloc((size_t)n * sizeof *node_of);
    if (!node_of)
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the layout of %d ranks", n);
    for (int r = 0; r < n; r++)
        node_of[r] = r / per_node;
    int rc = gx_layout_make(n, node_of, l, err);
    free(node_of);
    l->assumed = 1;
    return rc;
}

void gx_pairs_free(struct gx_pairs *p)
{
    free(p->rounds);
    free(p->storage);
    free(p->group_storage);
    memset(p, 0, sizeof *p);
}

const struct gx_pair *gx_round_find(const struct gx_round *round, int rank)
{
    if (round->group_of)
        return round->group_of[rank] >= 0 ? &round->pairs[round->group_of[rank]] : NULL;
    for (int i = 0; i < round->npairs; i++)
        if (round->pairs[i].a == rank || round->pairs[i].b == rank)
            return &round->pairs[i];
    return NULL;
}

int gx_round_members(const struct gx_round *round, int nranks, int i, int *members)
{
    const struct gx_pair *p = &round->pairs[i];
    if (!round->group_of) {
        members[0] = p->a;
        members[1] = p->b;
        return 2;
    }
    int n = 0;
    for (int r = p->a; r <= p->b && r < nranks; r++)
        if (round->group_of[r] == i)
            members[n++] = r;
    return n;
}
