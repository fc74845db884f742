/* Collectives per node (the view collective_nodes) from constructed results: the table per path
 * and memory kinds at the largest size, a node below --slow-pair x the other nodes' median
 * marked and named (a disturbed one too, said), none named of two nodes, and the collective
 * plan's rows beside the pairs'. */
#include "kept.h"
#include "report.h"
#include "pattern.h"
#include "tap.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kept_rows.h"

#define H GX_MEM_PAGEABLE
#define D GX_MEM_DEVICE
#define K ((size_t)1 << 10)

/* Rows whose pattern is -1 are allreduce, -2 broadcast. Four nodes of two ranks. */
static const struct kept_row rows[] = {
    {"host", H, H, -1, 0, 1, 1, 64 * K, 0, 0, OK, 2.0, 0},
    {"host", H, H, -1, 2, 3, 1, 64 * K, 0, 0, OK, 2.2, 0},
    {"host", H, H, -1, 4, 5, 1, 64 * K, 0, 0, OK, 0.5, 0},
    {"host", H, H, -1, 6, 7, 1, 64 * K, 0, 0, OK, 2.1, 0},
    {"host", H, H, -2, 0, 1, 1, 64 * K, 0, 0, OK, 3.0, 0},
    {"host", H, H, -2, 2, 3, 1, 64 * K, 0, 0, OK, 3.1, 0},
    {"host", H, H, -2, 4, 5, 1, 64 * K, 0, 0, OK, 2.9, 0},
    /* node 3's broadcast failed: no cell */
    {"host", H, H, -2, 6, 7, 1, 64 * K, 0, 0, FAILED, 0, 0},
    /* a smaller size: not the table's */
    {"host", H, H, -1, 4, 5, 1, 8, 0, 0, OK, 0.001, 0},
    /* another path: a table of its own; node 1 disturbed and slow, still named */
    {"nccl", D, D, -1, 0, 1, 1, 256 * M, 0, 0, OK, 330, 0},
    {"nccl", D, D, -1, 2, 3, 1, 256 * M, 0, 0, OK, 100, 0},
    {"nccl", D, D, -1, 4, 5, 1, 256 * M, 0, 0, OK, 335, 0},
    {"nccl", D, D, -1, 6, 7, 1, 256 * M, 0, 0, OK, 333, 0},
    /* a pair's result: the plan's, never a node's */
    {"host", H, H, GX_PAT_BW, 0, 1, 1, 64 * K, 0, 0, OK, 5, 0},
};
#define NROWS GX_ARRAY_LEN(rows)

struct made {
    cJSON *json;
    char *text;
    struct gx_health h[8];
    int nh;
};

static void make_view(struct gx_kept *kept, size_t n, int nodes, double slow, struct made *m)
{
    static struct gx_options opts;
    opts.g.slow_pair = slow;
    struct gx_layout layout;
    struct gx_err err = {0};
    *m = (struct made){0};
    if (gx_layout_assume(nodes, 2, &layout, &err) != GX_OK)
        return;
    const struct gx_context context = {0}; /* no rank's row: hosts are "?" */
    struct gx_run run = {.opts = &opts, .layout = &layout, .context = &context, .kept = kept,
                         .nkept = n};
    void *state = calloc(1, gx_view_coll_nodes.state_size);
    if (state && gx_view_coll_nodes.make(state, &run, &err) == GX_OK) {
        gx_view_draw(&gx_view_coll_nodes, state, &run, NULL, &m->json, &err);
        m->nh = gx_view_coll_nodes.findings(state, &run, m->h, 0, 8);
        size_t len = 0;
        FILE *f = open_memstream(&m->text, &len);
        if (f) {
            gx_view_draw(&gx_view_coll_nodes, state, &run, f, NULL, &err);
            fclose(f);
        }
    }
    if (state)
        gx_view_coll_nodes.free(state);
    free(state);
    gx_layout_free(&layout);
}

static void made_free(struct made *m)
{
    cJSON_Delete(m->json);
    free(m->text);
}

static const cJSON *table_of(const cJSON *all, const char *path)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, all)
    {
        if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "path")), path))
            return t;
    }
    return NULL;
}

int main(void)
{
    struct gx_kept kept[NROWS];
    ok(kept_from_rows(rows, NROWS, kept) == 0, "constructed results name known paths");
    for (size_t i = 0; i < NROWS; i++)
        if (kept[i].pattern < 0)
            kept[i].pattern = gx_pattern_lookup(kept[i].pattern == -1 ? "allreduce" : "broadcast");
    kept[10].noise = 1;

    struct made m;
    make_view(kept, NROWS, 4, 0.8, &m);
    ok(m.json && cJSON_GetArraySize(m.json) == 2, "two tables: host and nccl");
    const cJSON *host = table_of(m.json, "host");
    ok(prints_as(host, "{\"path\":\"host\",\"mem\":{\"src\":\"pageable\",\"dst\":\"pageable\"},"
                       "\"size\":65536,\"unit\":\"GB/s\",\"patterns\":[\"allreduce\","
                       "\"broadcast\"],\"slow_ratio\":0.8,\"nodes\":[{\"node\":0,\"host\":\"?\","
                       "\"ranks\":[0,1],\"values\":[2,3],\"slow\":[],\"disturbed\":[]},{\"node\":1,"
                       "\"host\":\"?\",\"ranks\":[2,3],\"values\":[2.2,3.1],\"slow\":[],"
                       "\"disturbed\":[]},{\"node\":2,\"host\":\"?\",\"ranks\":[4,5],\"values\":"
                       "[0.5,2.9],\"slow\":[\"allreduce\"],\"disturbed\":[]},{\"node\":3,\"host\":"
                       "\"?\",\"ranks\":[6,7],\"values\":[2.1,null],\"slow\":[],\"disturbed\":[]}]}"),
       "host: 64K (not 8 B), node 2's allreduce slow, node 3's failed broadcast a null, the pair's "
       "bw in no table");
    const cJSON *nccl = table_of(m.json, "nccl");
    const cJSON *n1 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(nccl, "nodes"), 1);
    ok(n1 && prints_as(cJSON_GetObjectItemCaseSensitive(n1, "slow"), "[\"allreduce\"]") &&
           prints_as(cJSON_GetObjectItemCaseSensitive(n1, "disturbed"), "[\"allreduce\"]"),
       "nccl: node 1 slow and disturbed, both said");
    ok(m.nh == 2 && !strcmp(m.h[0].check, "slow-node") && m.h[0].rank == 4 &&
           strstr(m.h[0].line, "node 2 (host ?, ranks 4..5) slow in collectives: host allreduce "
                               "busbw at 0.24 x the other nodes' median (1 of 2 collectives "
                               "below 0.80 x)") &&
           m.h[1].rank == 2 && strstr(m.h[1].line, "disturbed its median: rerun on a quiet node"),
       "two findings slow-node: node 2 on host, node 1 on nccl (its median disturbed, said)");
    if (m.nh > 0)
        printf("# %s\n# %s\n", m.h[0].line, m.h[0].evidence);
    ok(m.text && strstr(m.text, "#   node host                ranks allreduce broadcast\n") &&
           strstr(m.text, "       2 ?                    4..5    0.500<     2.900\n") &&
           strstr(m.text, "       3 ?                    6..7     2.100         -\n") &&
           strstr(m.text, "       1 ?                    2..3  100.000<\n") &&
           strstr(m.text, "# <: below 0.80 x the median of the other nodes' busbw"),
       "the table: a row per node, < on the slow cells, - where not measured, the legend");
    if (m.text && !strstr(m.text, "0.500<"))
        printf("# %s", m.text);
    made_free(&m);

    /* Of two nodes either could be the slow one: the table, no finding. */
    make_view(kept, 2, 2, 0.8, &m);
    ok(m.json && cJSON_GetArraySize(m.json) == 1 && m.nh == 0 && m.text &&
           strstr(m.text, "# no node named slow on 2 nodes"),
       "two nodes: the table, nothing named, said why");
    made_free(&m);

    /* One node: nothing to compare, no table. */
    make_view(kept, 1, 1, 0.8, &m);
    ok(!m.json && m.nh == 0 && m.text && !m.text[0], "one node: no table");
    made_free(&m);

    /* The collective plan beside the pairs': a row per collective and class, host data. */
    struct gx_transfer_plan p;
    ok(gx_transfer_plan_make(&p, kept, NROWS, NULL, 0) == GX_OK, "the plan is made");
    cJSON *plan = plan_json(&p);
    int coll = 0, pairs = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, plan)
    {
        const char *pat = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "pattern"));
        const char *type =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, "pair_type"));
        if (pat && !strcmp(type, "group, one node"))
            coll++;
        else if (!pat && !strcmp(type, "same node"))
            pairs++;
    }
    ok(coll == 4 && pairs == 1, "plan: 4 collective rows (allreduce tiny, small, huge; broadcast "
       "small), then the pair's (%d, %d)", coll, pairs);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f) {
        gx_view_draw(&gx_view_transfer_plan, &p, NULL, f, NULL, &(struct gx_err){0});
        fclose(f);
    }
    ok(text && strstr(text, "# transfer plan") < strstr(text, "# collective plan") &&
           strstr(text, "  allreduce              one node host  small    64K  host pageable>"
                        "pageable    1.700      -     -\n"),
       "the printed plan: the pairs' block, then the collectives' (the groups' mean busbw)");
    if (text && !strstr(text, "1.700"))
        printf("# %s", text);
    free(text);
    cJSON_Delete(plan);
    gx_transfer_plan_free(&p);
    return tap_done();
}
