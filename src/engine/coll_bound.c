#include "config.h"
#include "coll_bound.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the bound needs of a member: its node and its NIC. */
struct member {
    int node;
    char nic[64];
    double nic_gbs; /* 0 unknown */
};

static int load(const struct gx_link_store *s, const int *members, int n, struct member *m)
{
    struct gx_link_facts *f = malloc(sizeof *f);
    if (!f)
        return -1;
    for (int i = 0; i < n; i++) {
        if (gx_link_facts_of(s, members[i], f) != 0) {
            free(f);
            return -1;
        }
        m[i].node = f->node;
        snprintf(m[i].nic, sizeof m[i].nic, "%s", f->nic.name);
        m[i].nic_gbs = gx_nic_line_gbs(&f->nic);
    }
    free(f);
    return 0;
}

/* Members of i's node (*g), of them those on i's NIC (*r), and the node's NICs' sum (each once;
 * 0 where one's rate is unknown). */
static double node_of(const struct member *m, int n, int i, int *g, int *r)
{
    double sum = 0;
    *g = *r = 0;
    for (int j = 0; j < n; j++) {
        if (m[j].node != m[i].node)
            continue;
        (*g)++;
        *r += strcmp(m[j].nic, m[i].nic) == 0;
        int first = 1;
        for (int k = 0; k < j && first; k++)
            first = !(m[k].node == m[j].node && strcmp(m[k].nic, m[j].nic) == 0);
        if (first)
            sum = sum < 0 || !(m[j].nic_gbs > 0) ? -1 : sum + m[j].nic_gbs;
    }
    return sum > 0 ? sum : 0;
}

static int count_nodes(const struct member *m, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = m[j].node != m[i].node;
        k += first;
    }
    return k;
}

void gx_coll_bound(enum gx_coll op, const struct gx_link_store *s, const int *members, int n,
                   double ring_gbs, struct gx_coll_bound *out)
{
    memset(out, 0, sizeof *out);
    out->gbs = ring_gbs;
    snprintf(out->rule, sizeof out->rule, "ring: its narrowest hop, %.4g GB/s", ring_gbs);
    struct member *m = n > 0 ? calloc((size_t)n, sizeof *m) : NULL;
    if (!m || load(s, members, n, m) != 0) {
        free(m);
        return;
    }
    out->nodes = count_nodes(m, n);
    if (out->nodes < 2) {
        free(m);
        return;
    }
    double least = 0, node_nics = 0;
    int at = -1, g = 0, r = 0, known = 1;
    for (int i = 0; i < n && known; i++) {
        int gi, ri;
        double sum = node_of(m, n, i, &gi, &ri);
        /* Each member's data for the other nodes, (n - g) / n of its sends, leaves through its
         * NIC, which its node's r members share: busbw = algbw (n - 1) / n. */
        double a2a = m[i].nic_gbs / ri * (n - 1) / (n - gi);
        known = m[i].nic_gbs > 0 && sum > 0;
        if (known && (at < 0 || a2a < least)) {
            least = a2a;
            at = i;
            g = gi;
            r = ri;
        }
        if (known && (node_nics == 0 || sum < node_nics))
            node_nics = sum;
    }
    if (!known || at < 0) {
        free(m);
        return;
    }
    if (op == GX_COLL_ALLTOALL) {
        out->gbs = least;
        snprintf(out->rule, sizeof out->rule, "alltoall over %d nodes: NIC %s %.4g GB/s / %d "
                 "rank%s x (%d - 1) / (%d - %d) = %.4g GB/s", out->nodes, m[at].nic,
                 m[at].nic_gbs, r, r == 1 ? "" : "s", n, n, g, least);
    } else if (op == GX_COLL_ALLREDUCE) {
        /* A double binary tree sends and receives each node's whole data once a direction on 2
         * nodes, twice on more: algbw = NICs / (1 or 2). */
        int ways = out->nodes == 2 ? 1 : 2;
        double tree = node_nics / ways * 2 * (n - 1) / n;
        out->gbs = tree > ring_gbs ? tree : ring_gbs;
        snprintf(out->rule, sizeof out->rule, "allreduce over %d nodes: the better of the ring, "
                 "its narrowest hop %.4g GB/s, and the tree, a node's NICs %.4g GB/s / %d x 2 x "
                 "(%d - 1) / %d = %.4g GB/s", out->nodes, ring_gbs, node_nics, ways, n, n, tree);
    }
    free(m);
}
