/* A collective's expected busbw from its group's links (coll_bound.h), on link facts made by
 * hand: one node, the ring's narrowest hop; two and four nodes of 2 ranks, one NIC a node or one
 * a rank: the alltoall's one-NIC share and the allreduce's better of the ring and the tree. */
#include "coll_bound.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

/* Rank r on node r / per_node; its NIC "eth" + (one a rank: r % per_node; else 0), gbits. */
static void build(struct gx_link_store *s, int n, int per_node, int nic_per_rank, double gbits)
{
    memset(s, 0, sizeof *s);
    for (int r = 0; r < n; r++) {
        struct gx_link_facts f;
        memset(&f, 0, sizeof f);
        f.rank = r;
        f.node = r / per_node;
        f.nvlink.links = f.nvlink.active = -1;
        f.c2c.links = f.c2c.active = -1;
        snprintf(f.nic.name, sizeof f.nic.name, "eth%d", nic_per_rank ? r % per_node : 0);
        f.nic.gbits = gbits;
        f.nic.src = GX_SRC_SYSFS;
        gx_link_store_add(s, &f);
    }
}

int main(void)
{
    int members[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    struct gx_link_store s;
    struct gx_coll_bound b;

    build(&s, 4, 4, 0, 100);
    gx_coll_bound(GX_COLL_ALLTOALL, &s, members, 4, 450, &b);
    ok(b.nodes == 1 && b.gbs == 450, "one node: the ring's narrowest hop (%g, %s)", b.gbs, b.rule);
    gx_link_store_free(&s);

    /* 2 nodes x 2 ranks, one 100 Gb/s NIC (12.5 GB/s) a node. */
    build(&s, 4, 2, 0, 100);
    gx_coll_bound(GX_COLL_ALLTOALL, &s, members, 4, 12.5, &b);
    ok(b.nodes == 2 && near(b.gbs, 12.5 / 2 * 3 / 2),
       "alltoall, 2 nodes, a NIC shared by 2 ranks: 12.5 / 2 x (4 - 1) / (4 - 2) (%g: %s)", b.gbs,
       b.rule);
    gx_coll_bound(GX_COLL_ALLREDUCE, &s, members, 4, 12.5, &b);
    ok(near(b.gbs, 12.5 * 2 * 3 / 4),
       "allreduce, 2 nodes: the tree, 12.5 x 2 x 3 / 4, beats the ring's 12.5 (%g: %s)", b.gbs,
       b.rule);
    gx_coll_bound(GX_COLL_ALLGATHER, &s, members, 4, 12.5, &b);
    ok(b.gbs == 12.5, "allgather: the ring's narrowest hop (%g)", b.gbs);
    gx_link_store_free(&s);

    /* 4 nodes x 2 ranks, a NIC a rank (rails). */
    build(&s, 8, 2, 1, 400);
    gx_coll_bound(GX_COLL_ALLTOALL, &s, members, 8, 50, &b);
    ok(near(b.gbs, 50.0 * 7 / 6), "alltoall, 4 nodes, a NIC a rank: 50 x (8 - 1) / (8 - 2) (%g)",
       b.gbs);
    gx_coll_bound(GX_COLL_ALLREDUCE, &s, members, 8, 50, &b);
    ok(near(b.gbs, 100.0 / 2 * 2 * 7 / 8) && strstr(b.rule, "over 4 nodes"),
       "allreduce, 4 nodes: the ring (50) against the tree, 2 NICs 100 / 2 x 2 x 7 / 8 (%g)",
       b.gbs);
    gx_link_store_free(&s);

    build(&s, 4, 2, 0, 0);
    gx_coll_bound(GX_COLL_ALLTOALL, &s, members, 4, 3, &b);
    ok(b.gbs == 3, "a NIC of unknown rate: the ring's hop stands (%g)", b.gbs);
    gx_link_store_free(&s);
    return tap_done();
}
