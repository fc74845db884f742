/* --pairs all and all-concurrent: every ordered pair exactly once, no rank twice in a round. */
#include "pairs.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* 0 when the schedule is right; otherwise what is wrong, for the test name. */
static const char *check(const struct gx_pairs *p, int n, int every_rank_busy)
{
    static int seen[16][16];
    memset(seen, 0, sizeof seen);
    for (int r = 0; r < p->nrounds; r++) {
        int busy[16] = {0};
        for (int i = 0; i < p->rounds[r].npairs; i++) {
            struct gx_pair q = p->rounds[r].pairs[i];
            if (q.a == q.b || q.a < 0 || q.b < 0 || q.a >= n || q.b >= n)
                return "a pair outside the job";
            if (busy[q.a]++ || busy[q.b]++)
                return "a rank twice in one round";
            seen[q.a][q.b]++;
        }
        if (every_rank_busy)
            for (int k = 0; k < n; k++)
                if (!busy[k] && !(n & 1))
                    return "a rank idle in a round";
    }
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++)
            if (a != b && seen[a][b] != 1)
                return "an ordered pair not measured exactly once";
    return NULL;
}

int main(void)
{
    struct gx_err err;
    struct gx_pairs p;
    for (int n = 2; n <= 9; n++) {
        int rc = gx_pairs_resolve("all", n, &p, &err);
        const char *why = rc == GX_OK ? check(&p, n, 0) : err.msg;
        ok(why == NULL && p.nrounds == n * (n - 1), "all, %d ranks: %d rounds of one pair, every "
           "ordered pair once%s%s", n, n * (n - 1), why ? ": " : "", why ? why : "");
        gx_pairs_free(&p);
        rc = gx_pairs_resolve("all-concurrent", n, &p, &err);
        why = rc == GX_OK ? check(&p, n, 1) : err.msg;
        int want = 2 * (n + (n & 1) - 1);
        ok(why == NULL && p.nrounds == want, "all-concurrent, %d ranks: %d rounds of disjoint "
           "pairs, every ordered pair once%s%s", n, want, why ? ": " : "", why ? why : "");
        gx_pairs_free(&p);
    }
    ok(gx_pairs_resolve("all", 4, &p, &err) == GX_OK && p.rounds[0].pairs[0].a == 0 &&
           p.rounds[0].pairs[0].b == 1 && p.rounds[4].pairs[0].a == 0 &&
           p.rounds[4].pairs[0].b == 2 && p.rounds[3].pairs[0].a == 3 &&
           p.rounds[3].pairs[0].b == 0, "all: shift order, 0->1 .. 3->0, then 0->2");
    gx_pairs_free(&p);
    ok(gx_pairs_resolve("all", 1, &p, &err) == GX_EINPUT, "all on 1 rank: input error");
    ok(gx_pairs_resolve("allx", 4, &p, &err) == GX_EINPUT &&
           strstr(err.msg, "all-disjoint, all or all-concurrent") != NULL,
       "unknown keyword: the message lists the modes");
    return tap_done();
}
