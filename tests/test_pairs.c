/* Pair schemes: every ordered pair (of ranks, or of nodes on each rail) exactly once, no rank
 * twice in a round; layouts a scheme cannot use are one clear error. */
#include "pairs.h"
#include "scheme.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

#define MAXR 64

/* NULL when no rank is in two transfers of a round; otherwise what is wrong. Counts every
 * ordered rank pair into seen[a][b]. */
static const char *disjoint_rounds(const struct gx_pairs *p, int n, int seen[MAXR][MAXR])
{
    memset(seen, 0, sizeof(int) * MAXR * MAXR);
    for (int r = 0; r < p->nrounds; r++) {
        int busy[MAXR] = {0};
        for (int i = 0; i < p->rounds[r].npairs; i++) {
            struct gx_pair q = p->rounds[r].pairs[i];
            if (q.a == q.b || q.a < 0 || q.b < 0 || q.a >= n || q.b >= n)
                return "a pair outside the job";
            if (busy[q.a]++ || busy[q.b]++)
                return "a rank in two transfers of one round";
            seen[q.a][q.b]++;
        }
    }
    return NULL;
}

/* --pairs all and all-concurrent: every ordered pair of ranks once. */
static const char *check_ranks(const struct gx_pairs *p, int n, int every_rank_busy)
{
    static int seen[MAXR][MAXR];
    const char *why = disjoint_rounds(p, n, seen);
    if (why)
        return why;
    for (int r = 0; r < p->nrounds && every_rank_busy && !(n & 1); r++)
        if (p->rounds[r].npairs != n / 2)
            return "a rank idle in a round";
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++)
            if (a != b && seen[a][b] != 1)
                return "an ordered pair not measured exactly once";
    return NULL;
}

/* rails (nrails = per node) and nodes (nrails = 1): every ordered node pair exactly once on
 * each of the first nrails rails, only between the same local ranks, nothing else. */
static const char *check_rails(const struct gx_pairs *p, const struct gx_layout *l, int nrails)
{
    static int seen[MAXR][MAXR];
    const char *why = disjoint_rounds(p, l->nranks, seen);
    if (why)
        return why;
    for (int a = 0; a < l->nranks; a++)
        for (int b = 0; b < l->nranks; b++) {
            int want = l->node_of[a] != l->node_of[b] && l->local_of[a] == l->local_of[b] &&
                       l->local_of[a] < nrails;
            if (seen[a][b] != want)
                return want ? "an ordered node pair not measured exactly once on a rail"
                            : "a pair that is not on a rail between nodes";
        }
    return NULL;
}

/* intra: every ordered pair of ranks of one node once, no pair between nodes. */
static const char *check_intra(const struct gx_pairs *p, const struct gx_layout *l)
{
    static int seen[MAXR][MAXR];
    const char *why = disjoint_rounds(p, l->nranks, seen);
    if (why)
        return why;
    for (int a = 0; a < l->nranks; a++)
        for (int b = 0; b < l->nranks; b++)
            if (seen[a][b] != (a != b && l->node_of[a] == l->node_of[b]))
                return "an ordered pair of one node not measured exactly once, or a pair "
                       "between nodes";
    return NULL;
}

static void schemes_on(int nodes, int per_node)
{
    struct gx_layout l;
    struct gx_pairs p;
    struct gx_err err = {0};
    gx_layout_assume(nodes, per_node, &l, &err);
    int m = nodes + (nodes & 1), g = per_node + (per_node & 1);
    int rc = gx_pairs_resolve("rails", &l, &p, &err);
    const char *why = rc == GX_OK ? check_rails(&p, &l, per_node) : err.msg;
    ok(why == NULL && p.nrounds == 2 * (m - 1), "rails, %d nodes x %d: %d rounds, every ordered "
       "node pair once per rail, no rank twice in a round%s%s", nodes, per_node, 2 * (m - 1),
       why ? ": " : "", why ? why : "");
    gx_pairs_free(&p);
    rc = gx_pairs_resolve("nodes", &l, &p, &err);
    why = rc == GX_OK ? check_rails(&p, &l, 1) : err.msg;
    ok(why == NULL && p.nrounds == 2 * (m - 1), "nodes, %d nodes x %d: every ordered node pair "
       "once (local rank 0), no rank twice in a round%s%s", nodes, per_node, why ? ": " : "",
       why ? why : "");
    gx_pairs_free(&p);
    if (per_node > 1) {
        rc = gx_pairs_resolve("intra", &l, &p, &err);
        why = rc == GX_OK ? check_intra(&p, &l) : err.msg;
        ok(why == NULL && p.nrounds == 2 * (g - 1), "intra, %d nodes x %d: %d rounds, every "
           "node's ordered pairs once, every node at once%s%s", nodes, per_node, 2 * (g - 1),
           why ? ": " : "", why ? why : "");
        gx_pairs_free(&p);
    }
    gx_layout_free(&l);
}

static void bad_layout(const char *spec, int nranks, const int *node_of, const char *needle)
{
    struct gx_layout l;
    struct gx_pairs p;
    struct gx_err err = {0};
    gx_layout_make(nranks, node_of, &l, &err);
    int rc = gx_pairs_resolve(spec, &l, &p, &err);
    ok(rc == GX_EINPUT && strstr(err.msg, needle), "--pairs %s on %d ranks: '%s' (%s)", spec,
       nranks, needle, rc == GX_OK ? "accepted" : err.msg);
    if (rc == GX_OK)
        gx_pairs_free(&p);
    gx_layout_free(&l);
}

int main(void)
{
    struct gx_err err;
    struct gx_pairs p;
    struct gx_layout l;
    for (int n = 2; n <= 9; n++) {
        gx_layout_make(n, NULL, &l, &err);
        int rc = gx_pairs_resolve("all", &l, &p, &err);
        const char *why = rc == GX_OK ? check_ranks(&p, n, 0) : err.msg;
        ok(why == NULL && p.nrounds == n * (n - 1), "all, %d ranks: %d rounds of one pair, every "
           "ordered pair once%s%s", n, n * (n - 1), why ? ": " : "", why ? why : "");
        gx_pairs_free(&p);
        rc = gx_pairs_resolve("all-concurrent", &l, &p, &err);
        why = rc == GX_OK ? check_ranks(&p, n, 1) : err.msg;
        int want = 2 * (n + (n & 1) - 1);
        ok(why == NULL && p.nrounds == want, "all-concurrent, %d ranks: %d rounds of disjoint "
           "pairs, every ordered pair once%s%s", n, want, why ? ": " : "", why ? why : "");
        gx_pairs_free(&p);
        gx_layout_free(&l);
    }
    gx_layout_make(4, NULL, &l, &err);
    ok(gx_pairs_resolve("all", &l, &p, &err) == GX_OK && p.rounds[0].pairs[0].a == 0 &&
           p.rounds[0].pairs[0].b == 1 && p.rounds[4].pairs[0].a == 0 &&
           p.rounds[4].pairs[0].b == 2 && p.rounds[3].pairs[0].a == 3 &&
           p.rounds[3].pairs[0].b == 0, "all: shift order, 0->1 .. 3->0, then 0->2");
    gx_pairs_free(&p);
    ok(gx_pairs_resolve("allx", &l, &p, &err) == GX_EINPUT &&
           strstr(err.msg, "all-disjoint, all, all-concurrent, rails, nodes, intra") != NULL,
       "unknown keyword: the message lists the schemes (%s)", err.msg);
    gx_layout_free(&l);
    gx_layout_make(1, NULL, &l, &err);
    ok(gx_pairs_resolve("all", &l, &p, &err) == GX_EINPUT, "all on 1 rank: input error");
    gx_layout_free(&l);

    /* The node schemes on regular layouts: even and odd node counts, one to 8 per node. */
    static const int shapes[][2] = {{2, 1}, {2, 2}, {3, 2}, {4, 2}, {5, 3}, {4, 8}, {8, 4}, {7, 1}};
    for (size_t i = 0; i < GX_ARRAY_LEN(shapes); i++)
        schemes_on(shapes[i][0], shapes[i][1]);

    /* Rail i is local rank i wherever the launcher placed the ranks (round-robin here). */
    static const int cyclic[8] = {0, 1, 0, 1, 0, 1, 0, 1};
    gx_layout_make(8, cyclic, &l, &err);
    int rc = gx_pairs_resolve("rails", &l, &p, &err);
    const char *why = rc == GX_OK ? check_rails(&p, &l, 4) : err.msg;
    ok(why == NULL && l.per_node == 4 && gx_layout_rank(&l, 1, 2) == 5,
       "rails on ranks placed round-robin over 2 nodes: rail 2 of node 1 is rank 5%s%s",
       why ? ": " : "", why ? why : "");
    gx_pairs_free(&p);
    gx_layout_free(&l);

    /* Layouts the node schemes cannot use. */
    static const int uneven[5] = {0, 0, 0, 1, 1};
    bad_layout("rails", 5, uneven, "needs the same number of ranks on every node");
    bad_layout("nodes", 5, uneven, "needs the same number of ranks on every node");
    bad_layout("intra", 5, uneven, "needs the same number of ranks on every node");
    bad_layout("rails", 4, NULL, "this job has one node (4 ranks)");
    bad_layout("nodes", 4, NULL, "this job has one node");
    static const int one_each[3] = {0, 1, 2};
    bad_layout("intra", 3, one_each, "one rank per node");
    /* all and the pair lists do not care. */
    gx_layout_make(5, uneven, &l, &err);
    ok(gx_pairs_resolve("all-concurrent", &l, &p, &err) == GX_OK, "all-concurrent on an uneven "
       "layout");
    gx_pairs_free(&p);
    gx_layout_free(&l);

    /* The table: every scheme is named once, the pair list is the last entry. */
    int n = 0, list_last = 0;
    for (int i = 0; gx_schemes[i]; i++, n++)
        list_last = gx_schemes[i]->name == NULL && gx_schemes[i + 1] == NULL;
    ok(n == 10 && list_last && gx_scheme_of("rails") == &gx_scheme_rails &&
           gx_scheme_of("3:1") == &gx_scheme_list, "scheme table: 10 entries, the list last");

    /* ring: every rank the initiator once, alone, its peer the next (the last's rank 0). */
    gx_layout_make(4, NULL, &l, &err);
    int ring = gx_pairs_resolve("ring", &l, &p, &err) == GX_OK && p.nrounds == 4;
    for (int r = 0; ring && r < 4; r++)
        ring = p.rounds[r].npairs == 1 && p.rounds[r].pairs[0].a == r &&
               p.rounds[r].pairs[0].b == (r + 1) % 4;
    ok(ring, "ring, 4 ranks: 4 rounds of one pair, r:r+1 and 3:0 (every rank initiates once)");
    gx_pairs_free(&p);
    gx_layout_free(&l);
    return tap_done();
}
