/* Layout matrices (rails, the rail map, each node's local ranks) from constructed typed
 * results on 3 nodes of 2 ranks: which complete matrices a measurement makes and in what order,
 * their report entries, and the table's slow and disturbed cells named by rail, node and rank;
 * on 8 nodes, the slow node named by its rail both ways or one side, and nothing named for a
 * slow node pair or no slow cell. */
#include "kept.h"
#include "report.h"
#include "noise.h"
#include "options.h"
#include "path.h"
#include "pattern.h"
#include "scheme.h"
#include "tap.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ranks 0,1 on node 0, 2,3 on node 1, 4,5 on node 2 (blocks). Host bw at 64K over every
 * ordered pair: rail 1 with node 2 (rank 5 with ranks 1 and 3) slow, 2->4 (rail 0, node
 * 1->2) disturbed; a second measurement (8 B latency) covers node 1's two ranks only, 3->2
 * disturbed. */
static void make_rows(struct gx_kept *k, size_t *n)
{
    size_t i = 0;
    for (int a = 0; a < 6; a++)
        for (int b = 0; b < 6; b++) {
            if (a == b)
                continue;
            double v = 10 + a + b / 10.0;
            if ((a == 5 || b == 5) && (a % 2 == b % 2))
                v = 1.0 + a / 100.0; /* rail 1 with node 2: slow */
            k[i++] = (struct gx_kept){.path = gx_path_lookup("host"), .src_kind = GX_MEM_PAGEABLE,
                .dst_kind = GX_MEM_PAGEABLE, .pattern = GX_PAT_BW, .a = a, .b = b,
                .same_node = a / 2 == b / 2, .state = GX_STATE_OK, .size = 65536,
                .chunk_choice = GX_CHUNK_GIVEN, .median = v,
                .noise = (a == 2 && b == 4) ? GX_NOISE_TAIL : 0};
        }
    k[i++] = (struct gx_kept){.path = gx_path_lookup("host"), .src_kind = GX_MEM_PAGEABLE,
        .dst_kind = GX_MEM_PAGEABLE, .pattern = GX_PAT_LATENCY, .a = 2, .b = 3, .same_node = 1,
        .state = GX_STATE_OK, .size = 8, .chunk_choice = GX_CHUNK_GIVEN, .median = 3.5};
    k[i++] = (struct gx_kept){.path = gx_path_lookup("host"), .src_kind = GX_MEM_PAGEABLE,
        .dst_kind = GX_MEM_PAGEABLE, .pattern = GX_PAT_LATENCY, .a = 3, .b = 2, .same_node = 1,
        .state = GX_STATE_OK, .size = 8, .chunk_choice = GX_CHUNK_GIVEN, .median = 9.5,
        .noise = GX_NOISE_WIDE};
    *n = i;
}

/* As the matrices were made when the report was their model (before they were typed). */
static const char *const golden[] = {
    "{\"kind\":\"node\",\"node\":0,\"path\":\"host\",\"pattern\":\"bw\",\"size\":65536,\"unit\":\"GB/s\",\"mem\":{\"src\":\"pageable\",\"dst\":\"pageable\"},\"ranks\":[0,1],\"values\":[[null,10.1],[11,null]]}",
    "{\"kind\":\"node\",\"node\":1,\"path\":\"host\",\"pattern\":\"bw\",\"size\":65536,\"unit\":\"GB/s\",\"mem\":{\"src\":\"pageable\",\"dst\":\"pageable\"},\"ranks\":[2,3],\"values\":[[null,12.3],[13.2,null]]}",
    "{\"kind\":\"node\",\"node\":2,\"path\":\"host\",\"pattern\":\"bw\",\"size\":65536,\"unit\":\"GB/s\",\"mem\":{\"src\":\"pageable\",\"dst\":\"pageable\"},\"ranks\":[4,5],\"values\":[[null,14.5],[15.4,null]]}",
    "{\"kind\":\"rail\",\"rail\":0,\"path\":\"host\",\"pattern\":\"bw\",\"size\":65536,\"unit\":\"GB/s\",\"mem\":{\"src\":\"pageable\",\"dst\":\"pageable\"},\"ranks\":[0,2,4],\"values\":[[null,10.2,10.4],[12,null,12.4],[14,14.2,null]],\"disturbed\":[[1,2]]}",
    "{\"kind\":\"rail\",\"rail\":1,\"path\":\"host\",\"pattern\":\"bw\",\"size\":65536,\"unit\":\"GB/s\",\"mem\":{\"src\":\"pageable\",\"dst\":\"pageable\"},\"ranks\":[1,3,5],\"values\":[[null,11.3,1.01],[13.1,null,1.03],[1.05,1.05,null]]}",
    "{\"kind\":\"rail_map\",\"path\":\"host\",\"pattern\":\"bw\",\"size\":65536,\"unit\":\"GB/s\",\"mem\":{\"src\":\"pageable\",\"dst\":\"pageable\"},\"node_pairs\":[[0,1],[0,2],[1,0],[1,2],[2,0],[2,1]],\"rail_ranks\":[[0,2,4],[1,3,5]],\"values\":[[10.2,10.4,12,12.4,14,14.2],[11.3,1.01,13.1,1.03,1.05,1.05]],\"disturbed\":[[0,3]]}",
    "{\"kind\":\"node\",\"node\":1,\"path\":\"host\",\"pattern\":\"latency\",\"size\":8,\"unit\":\"us\",\"mem\":{\"src\":\"pageable\",\"dst\":\"pageable\"},\"ranks\":[2,3],\"values\":[[null,3.5],[9.5,null]],\"disturbed\":[[1,0]]}",
};

/* The view made of n results over the layout, for the views asked. */
static int make(struct gx_layout_matrix_set *s, const struct gx_kept *k, size_t n,
                const struct gx_layout *l, unsigned views)
{
    const struct gx_run run = {.kept = k, .nkept = n, .layout = l, .layout_views = views};
    struct gx_err err = {0};
    return gx_view_layout_matrices.make(s, &run, &err);
}

static char *made_json(const struct gx_layout_matrix_set *s)
{
    cJSON *j = gx_view_layout_matrices.json(s, NULL);
    char *t = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    return t;
}

static char *printed(const struct gx_layout_matrix_set *s)
{
    static struct gx_options opts = {.g = {.slow_pair = 0.5}};
    const struct gx_run run = {.opts = &opts}; /* no context: hosts are "?" */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    gx_view_layout_matrices.print(f, s, &run);
    fclose(f);
    return buf;
}

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}


/* Host bw at 64K over every ordered pair of ranks on `nodes` nodes of `per` ranks, rail pairs
 * only (local rank i with local rank i), the values spread a little; `slow(a, b)` cells at a
 * tenth. */
static size_t rail_rows(struct gx_kept *k, int nodes, int per, int (*slow)(int a, int b))
{
    size_t i = 0;
    for (int a = 0; a < nodes * per; a++)
        for (int b = 0; b < nodes * per; b++) {
            if (a / per == b / per || a % per != b % per)
                continue;
            double v = 10 + (a * 7 + b * 3) % 5 / 10.0;
            k[i++] = (struct gx_kept){.path = gx_path_lookup("host"), .src_kind = GX_MEM_PAGEABLE,
                .dst_kind = GX_MEM_PAGEABLE, .pattern = GX_PAT_BW, .a = a, .b = b,
                .state = GX_STATE_OK, .size = 65536, .chunk_choice = GX_CHUNK_GIVEN,
                .median = slow(a, b) ? v / 10 : v};
        }
    return i;
}
/* The same cells as latency in us: a slow cell takes ten times as long. */
static void as_latency(struct gx_kept *k, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        k[i].pattern = GX_PAT_LATENCY;
        k[i].size = 8;
        k[i].median = 100 / k[i].median;
    }
}
static int none_slow(int a, int b) { (void)a, (void)b; return 0; }
static int node4_slow(int a, int b) { return a == 4 || b == 4; }
static int node2_sends_slow(int a, int b) { (void)b; return a == 2; }
static int pair13_slow(int a, int b) { return (a == 1 && b == 3) || (a == 3 && b == 1); }
static int rank11_slow(int a, int b) { return a == 11 || b == 11; } /* rail 1 of node 5 */
/* 4 nodes x 2 rails: rail 1 of node 2 slow, and one cell of rail 1 (node 1 -> 0) disturbed. */
static int rank5_and_one(int a, int b) { return a == 5 || b == 5 || (a == 3 && b == 1); }

/* The slow nodes of s: its findings, its JSON's slow_nodes and its table, at --slow-pair 0.5. */
struct named {
    int nh;
    struct gx_health h[8];
    char *json, *table;
};
static void name_slow(const struct gx_layout_matrix_set *s, struct named *out)
{
    static struct gx_options opts = {.g = {.slow_pair = 0.5}};
    const struct gx_run run = {.opts = &opts};
    out->nh = gx_view_layout_matrices.findings(s, &run, out->h, 0, 8);
    cJSON *j = gx_view_layout_matrices.json(s, &run);
    out->json = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON_Delete(j);
    out->table = printed(s);
}
static void named_free(struct named *x)
{
    free(x->json);
    free(x->table);
}

int main(void)
{
    struct gx_layout l;
    struct gx_err err = {0};
    struct gx_kept k[40];
    size_t n;
    const unsigned all = GX_VIEW_RAILS | GX_VIEW_RAIL_MAP | GX_VIEW_NODE_LOCAL;
    if (gx_layout_assume(3, 2, &l, &err) != GX_OK) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    make_rows(k, &n);

    struct gx_layout_matrix_set s;
    int rc = make(&s, k, n, &l, all);
    ok(rc == 0 && s.n == GX_ARRAY_LEN(golden),
       "every view of 3 nodes x 2 ranks: %zu complete matrices (node 0-2 bw, rails 0-1, the "
       "rail map, node 1 latency)", s.n);
    char *j = made_json(&s), want[4096] = "[";
    for (size_t i = 0; i < GX_ARRAY_LEN(golden); i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s", i ? "," : "", golden[i]);
    strcat(want, "]");
    ok(j && strcmp(j, want) == 0, "their report entries, in the order their measurement first "
       "placed a result, are as before they were typed");
    if (j && strcmp(j, want) != 0)
        printf("# got:  %s\n# want: %s\n", j, want);
    free(j);

    char *t = printed(&s);
    if (t && getenv("SHOW"))
        printf("# %s", t);
    ok(t && count_of(t, "#   SLOW rail ") == 4 &&
       strstr(t, "#   SLOW rail 1 node 0->2 1.010 GB/s (0.09 x median): rank 1 (host ?) -> rank 5 (host ?)\n") &&
       strstr(t, "#   SLOW rail 1 node 2->1 1.050 GB/s (0.10 x median): rank 5 (host ?) -> rank 3 (host ?)\n"),
       "the table: rail 1 with node 2 slow both ways in the rail map, by rail, node pair and rank");
    /* Rail 1's own matrix: node 2's cells are 4 of its 6, the median among them: flags none. */
    ok(t && count_of(t, "#   SLOW node ") == 1 &&
       strstr(t, "#   SLOW node 2 (host ?, rail 1, rank 5): its sends and its receives at 0.10 "
                 "and 0.09 x the median (2 of 2 and 2 of 2 below 0.50 x)\n"),
       "the rail map names rail 1 of node 2, both ways");
    ok(t && strstr(t, "      1    12.000         -   12.400~\n") &&
       strstr(t, "  1->2 (?->?)                           12.400~     1.030\n") &&
       strstr(t, "      1    9.500~         -\n") && count_of(t, "# ~: the machine disturbed") == 3,
       "disturbed cells carry ~ in the rail, the rail map and the latency matrix, each with the legend");
    ok(t && strstr(t, "# slow pairs (above 13.000 us = 1/0.50 x the median 6.500): none\n"),
       "latency: slow is above the median / slow");
    free(t);
    gx_layout_matrices_free(&s);

    /* 1->5 (rail 1, node 0->2) not measured: rail 1's matrix and the rail map are incomplete. */
    struct gx_kept less[40];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!(k[i].a == 1 && k[i].b == 5))
            less[m++] = k[i];
    rc = make(&s, less, m, &l, all);
    ok(rc == 0 && s.n == 5 &&
       s.m[3].view == GX_VIEW_RAILS && s.m[3].m == 0 && s.m[4].view == GX_VIEW_NODE_LOCAL,
       "a pair missing from rail 1: no rail 1 matrix and no rail map, the others stay (%zu)", s.n);
    gx_layout_matrices_free(&s);

    ok(make(&s, k, n, &l, GX_VIEW_RAIL_MAP) == GX_OK && s.n == 1 &&
       s.m[0].rows == 2 && s.m[0].cols == 6, "the rail map alone: one matrix, 2 rails x 6 node pairs");
    gx_layout_matrices_free(&s);
    gx_layout_free(&l);

    int node_of[5] = {0, 0, 0, 1, 1}; /* uneven: no layout view */
    ok(gx_layout_make(5, node_of, &l, &err) == GX_OK &&
       make(&s, k, n, &l, all) == GX_OK && s.n == 0,
       "nodes of different sizes: no layout matrix");
    gx_layout_free(&l);

    /* 8 nodes, one rank each (--pairs nodes): rail 0's node x node matrix. */
    struct gx_kept big[2 * 8 * 7];
    struct named x;
    ok(gx_layout_assume(8, 1, &l, &err) == GX_OK &&
       make(&s, big, rail_rows(big, 8, 1, node4_slow), &l, GX_VIEW_RAILS) == GX_OK && s.n == 1,
       "8 nodes x 1 rank: one node x node matrix");
    name_slow(&s, &x);
    ok(x.nh == 1 && !strcmp(x.h[0].check, "slow-node") && x.h[0].rank == 4 && !x.h[0].warning &&
       !strcmp(x.h[0].line, "node 4 (host ?, rail 0, rank 4) slow: its sends and its receives "
               "at 0.10 and 0.10 x the median (7 of 7 and 7 of 7 below 0.50 x)"),
       "node 4 slow both ways: one slow-node finding, node 4 of rail 0 (%s)", x.nh ? x.h[0].line : "none");
    ok(x.json && strstr(x.json, "\"slow_nodes\":[{\"rail\":0,\"node\":4,\"rank\":4,\"slow\":\"both\","
                        "\"sends\":{\"slow\":true,\"slow_cells\":7,\"cells\":7,\"median_ratio\":0.1") &&
       count_of(x.json, "\"rail\":0,\"node\"") == 1,
       "the report's slow_nodes: node 4 alone, both ways");
    ok(x.table && strstr(x.table, "#   SLOW node 4 (host ?, rail 0, rank 4): its sends and its "
                         "receives at 0.10 and 0.10 x the median (7 of 7 and 7 of 7 below 0.50 x)\n") &&
       count_of(x.table, "#   SLOW node ") == 1 && count_of(x.table, "#   SLOW rail 0 node ") == 14,
       "the table: its 14 slow cells, then node 4 named once");
    named_free(&x);
    gx_layout_matrices_free(&s);

    make(&s, big, rail_rows(big, 8, 1, node2_sends_slow), &l, GX_VIEW_RAILS);
    name_slow(&s, &x);
    ok(x.nh == 1 && x.h[0].rank == 2 && strstr(x.h[0].line, "slow: its sends at 0.10 x the median "
                                               "(7 of 7 below 0.50 x), its receives not (1.00 x)") &&
       x.json && strstr(x.json, "\"node\":2,\"rank\":2,\"slow\":\"sends\""),
       "node 2's sends alone slow: named as a sender, its receives not (%s)", x.nh ? x.h[0].line : "none");
    named_free(&x);
    gx_layout_matrices_free(&s);

    size_t nbig = rail_rows(big, 8, 1, node4_slow);
    as_latency(big, nbig);
    make(&s, big, nbig, &l, GX_VIEW_RAILS);
    name_slow(&s, &x);
    ok(x.nh == 1 && x.h[0].rank == 4 &&
       strstr(x.h[0].line, "slow: its sends and its receives at 9.85 and 9.95 x the median (7 "
                           "of 7 and 7 of 7 above 1/0.50 x)"),
       "latency: node 4's ten times as long, named above the median / 0.5 (%s)",
       x.nh ? x.h[0].line : "none");
    named_free(&x);
    gx_layout_matrices_free(&s);

    make(&s, big, rail_rows(big, 8, 1, pair13_slow), &l, GX_VIEW_RAILS);
    name_slow(&s, &x);
    ok(x.nh == 0 && x.json && strstr(x.json, "\"slow_nodes\":[]") && x.table &&
       count_of(x.table, "#   SLOW rail 0 node ") == 2 &&
       strstr(x.table, "# slow nodes (more than half of a node's sends or of its receives on a "
                       "rail below 0.50 x the median): none\n"),
       "a slow node pair (1<->3): its two cells flagged, no node named");
    named_free(&x);
    gx_layout_matrices_free(&s);

    make(&s, big, rail_rows(big, 8, 1, none_slow), &l, GX_VIEW_RAILS);
    name_slow(&s, &x);
    ok(x.nh == 0 && x.json && strstr(x.json, "\"slow_nodes\":[]") && x.table &&
       count_of(x.table, "#   SLOW ") == 0,
       "no slow cell: nothing named");
    named_free(&x);
    gx_layout_matrices_free(&s);
    gx_layout_free(&l);

    /* 8 nodes x 2 rails (--pairs rails), rail 1 of node 5 slow: named by each rail's matrix
     * and by the rail map, one finding (the map's). */
    ok(gx_layout_assume(8, 2, &l, &err) == GX_OK &&
       make(&s, big, rail_rows(big, 8, 2, rank11_slow), &l, GX_VIEW_RAILS | GX_VIEW_RAIL_MAP) ==
           GX_OK && s.n == 3, "8 nodes x 2 rails: two rails' matrices and the rail map");
    name_slow(&s, &x);
    ok(x.nh == 1 && x.h[0].rank == 11 && strstr(x.h[0].line, "node 5 (host ?, rail 1, rank 11) slow: "
                                                "its sends and its receives") &&
       strstr(x.h[0].evidence, "rail map"),
       "rail 1 of node 5: one finding, from the rail map (%s)", x.nh ? x.h[0].line : "none");
    ok(x.table && count_of(x.table, "#   SLOW node 5 (host ?, rail 1, rank 11): its sends and its receives") == 2 &&
       count_of(x.table, "#   SLOW node ") == 2 && x.json && count_of(x.json, "\"rail\":1,\"node\":5,") == 2,
       "rail 1's node matrix and the rail map name rail 1 of node 5, nothing else");
    named_free(&x);
    gx_layout_matrices_free(&s);
    gx_layout_free(&l);

    /* 4 nodes x 2 rails: node 2's cells with nodes 0 and 1 and one disturbed cell 1 -> 0 are 2
     * of 3 of node 0's receives and of node 1's sends; the slow node explains its own cells,
     * and the one left names nobody. */
    ok(gx_layout_assume(4, 2, &l, &err) == GX_OK &&
       make(&s, big, rail_rows(big, 4, 2, rank5_and_one), &l, GX_VIEW_RAIL_MAP) == GX_OK,
       "4 nodes x 2 rails: the rail map");
    name_slow(&s, &x);
    ok(x.nh == 1 && x.h[0].rank == 5 && x.table && count_of(x.table, "#   SLOW node ") == 1,
       "rail 1 of node 2 slow and one disturbed cell beside it: node 2 alone named (%s)",
       x.nh ? x.h[0].line : "none");
    named_free(&x);
    gx_layout_matrices_free(&s);
    gx_layout_free(&l);
    return tap_done();
}
