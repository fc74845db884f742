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
    for (int i = 0; i < n; i++) {
        const struct gx_link_rec *r = gx_link_rec_of(s, members[i]);
        if (!r)
            return -1;
        m[i].node = r->node;
        snprintf(m[i].nic, sizeof m[i].nic, "%s", gx_link_str(s, r->nic.name));
        m[i].nic_gbs = gx_nic_line_gbs(&(struct gx_nic_facts){.gbits = r->nic.gbits});
    }
    return 0;
}

/* By node, then NIC: a node's members, and those sharing a NIC, are runs (n log n, not n^2, for
 * a job-wide group of thousands of ranks). */
static int by_node_nic(const void *p, const void *q)
{
    const struct member *x = p, *y = q;
    return x->node != y->node ? (x->node > y->node) - (x->node < y->node)
                              : strcmp(x->nic, y->nic);
}

/* The least alltoall share over the NICs (*at its NIC, *g its node's members, *r its sharers),
 * the least sum of a node's NICs, and the nodes; 0 where a NIC's rate is unknown. */
static double shares(const struct member *m, int n, int *nodes, double *node_nics, int *at,
                     int *g, int *r)
{
    double least = 0;
    *nodes = 0;
    *node_nics = 0;
    for (int i = 0; i < n;) {
        int end = i;
        while (end < n && m[end].node == m[i].node)
            end++;
        double sum = 0;
        for (int j = i; j < end;) {
            int k = j;
            while (k < end && strcmp(m[k].nic, m[j].nic) == 0)
                k++;
            if (!(m[j].nic_gbs > 0))
                return 0;
            sum += m[j].nic_gbs;
            /* Each member's data for the other nodes, (n - g)/n of its sends, leaves through
             * its NIC, which the node's k - j members on it share: busbw = algbw (n - 1)/n. */
            double a2a = m[j].nic_gbs / (k - j) * (n - 1) / (n - (end - i));
            if (*at < 0 || a2a < least) {
                least = a2a;
                *at = j;
                *g = end - i;
                *r = k - j;
            }
            j = k;
        }
        if (*node_nics == 0 || sum < *node_nics)
            *node_nics = sum;
        (*nodes)++;
        i = end;
    }
    return least;
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
    qsort(m, (size_t)n, sizeof *m, by_node_nic);
    double node_nics;
    int at = -1, g = 0, r = 0;
    double least = shares(m, n, &out->nodes, &node_nics, &at, &g, &r);
    if (out->nodes < 2 || !(least > 0)) {
        free(m);
        return;
    }
    const char *name = gx_coll_table[op].name;
    if (gx_coll_table[op].across == GX_ACROSS_NIC) {
        out->gbs = least;
        snprintf(out->rule, sizeof out->rule, "%s over %d nodes: NIC %s %.4g GB/s / %d "
                 "rank%s x (%d - 1) / (%d - %d) = %.4g GB/s", name, out->nodes, m[at].nic,
                 m[at].nic_gbs, r, r == 1 ? "" : "s", n, n, g, least);
    } else if (gx_coll_table[op].across == GX_ACROSS_TREE) {
        /* A double binary tree sends and receives each node's whole data once a direction on 2
         * nodes, twice on more: algbw = NICs / (1 or 2). */
        int ways = out->nodes == 2 ? 1 : 2;
        double tree = node_nics / ways * 2 * (n - 1) / n;
        out->gbs = tree > ring_gbs ? tree : ring_gbs;
        snprintf(out->rule, sizeof out->rule, "%s over %d nodes: the better of the ring, its "
                 "narrowest hop %.4g GB/s, and the tree, a node's NICs %.4g GB/s / %d x 2 x (%d "
                 "- 1) / %d = %.4g GB/s", name, out->nodes, ring_gbs, node_nics, ways, n, n, tree);
    }
    free(m);
}
