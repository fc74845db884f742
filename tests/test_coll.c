/* The collectives' arithmetic (nccl-tests' busbw factors, the size rounded to whole blocks, sums
 * exact in floats) and the group schemes (every rank in one group; each node's ranks). */
#include "coll.h"
#include "pairs.h"
#include "scheme.h"
#include "tap.h"

#include <string.h>

int main(void)
{
    ok(near(gx_coll_busbw_factor(GX_COLL_ALLREDUCE, 4), 1.5) &&
           near(gx_coll_busbw_factor(GX_COLL_ALLREDUCE, 8), 1.75) &&
           near(gx_coll_busbw_factor(GX_COLL_ALLREDUCE, 2), 1.0),
       "allreduce: 2(n-1)/n");
    ok(near(gx_coll_busbw_factor(GX_COLL_ALLGATHER, 4), 0.75) &&
           near(gx_coll_busbw_factor(GX_COLL_REDUCE_SCATTER, 8), 0.875) &&
           near(gx_coll_busbw_factor(GX_COLL_ALLTOALL, 2), 0.5),
       "allgather, reduce-scatter, alltoall: (n-1)/n");
    ok(near(gx_coll_busbw_factor(GX_COLL_BROADCAST, 16), 1.0), "broadcast: 1");
    ok(gx_coll_bytes(GX_COLL_ALLREDUCE, 4, 8) == 8 && gx_coll_bytes(GX_COLL_ALLREDUCE, 4, 7) == 4 &&
           gx_coll_bytes(GX_COLL_ALLREDUCE, 4, 1) == 4,
       "allreduce: whole floats, one at least");
    ok(gx_coll_bytes(GX_COLL_ALLGATHER, 4, 100031) == 100000 &&
           gx_coll_bytes(GX_COLL_ALLTOALL, 3, 1 << 20) == (1 << 20) / 24 * 24 &&
           gx_coll_bytes(GX_COLL_REDUCE_SCATTER, 4, 8) == 32,
       "split collectives: whole 8-byte words in each rank's block, one block each at least");
    ok(gx_coll_bytes(GX_COLL_BROADCAST, 4, 7) == 7 &&
           gx_coll_block(GX_COLL_ALLGATHER, 4, 99968) == 24992 &&
           gx_coll_block(GX_COLL_ALLREDUCE, 4, 64) == 64,
       "broadcast any byte; a block is the size over the ranks where it splits");
    int exact = 1;
    for (uint64_t k = 0; k < 100000 && exact; k += 7) {
        for (int n = 2; n <= 64 && exact; n *= 2) {
            float sum = 0;
            for (int r = 0; r < n; r++)
                sum += gx_coll_value((uint32_t)r, 3, k);
            exact = sum == gx_coll_sum(n, 3, k);
        }
    }
    ok(exact, "the values' sums are exact in floats, in any order, to 64 ranks");
    ok(strcmp(gx_coll_table[GX_COLL_REDUCE_SCATTER].name, "reduce-scatter") == 0 &&
           gx_coll_table[GX_COLL_ALLREDUCE].sums && !gx_coll_table[GX_COLL_ALLTOALL].sums,
       "names; which reduce");

    int node_of[6] = {0, 0, 0, 1, 1, 2};
    struct gx_layout l;
    struct gx_pairs p;
    struct gx_err err = {0};
    ok(gx_layout_make(6, node_of, &l, &err) == GX_OK, "a layout of 3, 2 and 1 ranks on 3 nodes");
    ok(gx_pairs_resolve("job", &l, &p, &err) == GX_OK && p.nrounds == 1 &&
           p.rounds[0].npairs == 1 && p.rounds[0].pairs[0].a == 0 &&
           p.rounds[0].pairs[0].b == 5 && p.scheme->groups,
       "job: one round, one group of ranks 0..5");
    int members[6], n = gx_round_members(&p.rounds[0], 6, 0, members);
    ok(n == 6 && members[5] == 5 && gx_round_find(&p.rounds[0], 4) == &p.rounds[0].pairs[0],
       "job: every rank a member");
    gx_pairs_free(&p);
    ok(gx_pairs_resolve("node", &l, &p, &err) == GX_OK && p.rounds[0].npairs == 2 &&
           p.rounds[0].pairs[1].a == 3 && p.rounds[0].pairs[1].b == 4,
       "node: a group per node of 2 ranks or more, at once");
    n = gx_round_members(&p.rounds[0], 6, 0, members);
    ok(n == 3 && members[2] == 2 && gx_round_find(&p.rounds[0], 5) == NULL,
       "node: the first node's 3 ranks; the lone rank of the third sits out");
    gx_pairs_free(&p);
    gx_layout_free(&l);
    int one_each[3] = {0, 1, 2};
    ok(gx_layout_make(3, one_each, &l, &err) == GX_OK &&
           gx_pairs_resolve("node", &l, &p, &err) == GX_EINPUT &&
           strstr(err.msg, "--pairs node: no group of 2 ranks or more") != NULL,
       "node with one rank per node: bad input, said (%s)", err.msg);
    gx_layout_free(&l);
    return tap_done();
}
