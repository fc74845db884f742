/* The schemes of circle scheduling: every ordered pair of members once, no member twice a round,
 * each member pair on ncopies rank pairs at once. */
#include "scheme.h"

#include <stdlib.h>

static int circle_rounds(int n)
{
    int m = n + (n & 1); /* member m-1 is a phantom when n is odd */
    return n < 2 ? 0 : 2 * (m - 1);
}

/* Round-robin: m-1 rounds (m even) cover each unordered pair once, member m-1 fixed and the
 * others rotating; the same rounds with the roles swapped cover the other direction. */
static int circle_round(int n, int r, int *x, int *y)
{
    int m = n + (n & 1), half = m / 2, k = 0;
    int base = r % (m - 1), swap = r >= m - 1;
    for (int i = 0; i < half; i++) {
        int p = i == 0 ? m - 1 : (base + i) % (m - 1);
        int q = (base - i + (m - 1)) % (m - 1);
        if (p >= n || q >= n)
            continue;
        x[k] = swap ? q : p;
        y[k] = swap ? p : q;
        k++;
    }
    return k;
}

/* The j-th rank pair of a round whose k member pairs are x[i]:y[i]. */
typedef struct gx_pair (*circle_pair_fn)(const struct gx_layout *l, const int *x, const int *y,
                                         int k, int ncopies, int j);

static int circle_schedule(const struct gx_layout *l, int n, const char *members, int ncopies,
                           circle_pair_fn pair, struct gx_pairs *out, struct gx_err *err)
{
    int nrounds = circle_rounds(n);
    int *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    int rc = x && y ? gx_pairs_alloc(out, nrounds, (long)n * (n - 1) * ncopies, err)
                    : gx_fail(err, GX_ERUNTIME, "out of host memory for %d %s' rounds", n, members);
    struct gx_pair *next = out->storage;
    for (int r = 0; r < nrounds && rc == GX_OK; r++) {
        int k = circle_round(n, r, x, y);
        out->rounds[r] = (struct gx_round){k * ncopies, next, NULL};
        for (int j = 0; j < k * ncopies; j++)
            *next++ = pair(l, x, y, k, ncopies, j);
    }
    free(x);
    free(y);
    return rc;
}

/* all-concurrent: every ordered pair in rounds at once, where shared links show contention. */
static struct gx_pair rank_pair(const struct gx_layout *l, const int *x, const int *y, int k,
                                int ncopies, int j)
{
    (void)l, (void)k, (void)ncopies;
    return (struct gx_pair){x[j], y[j]};
}

static int build_concurrent(const struct gx_layout *l, struct gx_pairs *out, struct gx_err *err)
{
    return circle_schedule(l, l->nranks, "ranks", 1, rank_pair, out, err);
}

const struct gx_scheme gx_scheme_concurrent = {
    .name = "all-concurrent",
    .what = "every ordered pair of ranks, in rounds of disjoint pairs at once",
    .views = GX_VIEW_RANKS,
    .build = build_concurrent,
};

/* intra: every node's all-concurrent over its own ranks, every node at the same time. */
static struct gx_pair local_pair(const struct gx_layout *l, const int *x, const int *y, int k,
                                 int ncopies, int j)
{
    (void)ncopies;
    int node = j / k, i = j % k;
    return (struct gx_pair){gx_layout_rank(l, node, x[i]), gx_layout_rank(l, node, y[i])};
}

static int build_intra(const struct gx_layout *l, struct gx_pairs *out, struct gx_err *err)
{
    return circle_schedule(l, l->per_node, "ranks", l->nnodes, local_pair, out, err);
}

const struct gx_scheme gx_scheme_intra = {
    .name = "intra",
    .what = "every node's ranks, all ordered pairs, every node at once",
    .needs_nodes = 1,
    .views = GX_VIEW_NODE_LOCAL,
    .build = build_intra,
};

/* rails: local rank i of every node with local rank i of every other, every rail at once;
 * nodes: one pair per ordered node pair, local rank 0 with local rank 0 (one rail). */
static struct gx_pair rail_pair(const struct gx_layout *l, const int *x, const int *y, int k,
                                int ncopies, int j)
{
    (void)k;
    int i = j / ncopies, rail = j % ncopies;
    return (struct gx_pair){gx_layout_rank(l, x[i], rail), gx_layout_rank(l, y[i], rail)};
}

static int build_rails(const struct gx_layout *l, struct gx_pairs *out, struct gx_err *err)
{
    return circle_schedule(l, l->nnodes, "nodes", l->per_node, rail_pair, out, err);
}

static int build_nodes(const struct gx_layout *l, struct gx_pairs *out, struct gx_err *err)
{
    return circle_schedule(l, l->nnodes, "nodes", 1, rail_pair, out, err);
}

const struct gx_scheme gx_scheme_rails = {
    .name = "rails",
    .what = "local rank i with local rank i of every other node, every rail at once, node "
            "pairs in round-robin rounds",
    .needs_nodes = 2,
    .views = GX_VIEW_RAILS | GX_VIEW_RAIL_MAP,
    .build = build_rails,
};

const struct gx_scheme gx_scheme_nodes = {
    .name = "nodes",
    .what = "one pair per ordered node pair (local rank 0 of each), in round-robin rounds",
    .needs_nodes = 2,
    .views = GX_VIEW_RAILS,
    .build = build_nodes,
};
