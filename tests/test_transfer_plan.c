/* The transfer plan from constructed typed results: who wins per pair type and size class, and
 * the whole plan as the JSON-reading plan produced it for the same results. */
#include "kept.h"
#include "report.h"
#include "tap.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kept_rows.h"

/* Reading the plan back: absent keys read as "" or 0. */
static const char *json_str(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
    return s ? s : "";
}

static double json_num(const cJSON *o, const char *k)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(n) ? n->valuedouble : 0;
}

static const struct kept_row rows[] = {
    /* same node NVLink, huge class: p2p best (mean of two pairs), staged 4M/2 beats staged 1M/2 */
    {"p2p", GX_MEM_DEVICE, GX_MEM_DEVICE, GX_PAT_BW, 0, 1, 1, G, G, 1, OK, 380, 0.96},
    {"p2p", GX_MEM_DEVICE, GX_MEM_DEVICE, GX_PAT_BW, 2, 3, 1, G, G, 1, OK, 360, 0.92},
    {"staged", GX_MEM_DEVICE, GX_MEM_DEVICE, GX_PAT_BW, 0, 1, 1, G, M, 2, OK, 8, 0},
    {"staged", GX_MEM_DEVICE, GX_MEM_DEVICE, GX_PAT_BW, 0, 1, 1, G, 4 * M, 2, OK, 9, 0},
    /* host memory at both ends, faster than any GPU path: a row of its own, not the GPU row's
     * best */
    {"mpi", GX_MEM_PINNED, GX_MEM_PINNED, GX_PAT_BW, 0, 1, 1, G, 0, 0, OK, 1000, 0},
    /* a smaller size of the same class does not compete with the largest */
    {"mpi", GX_MEM_DEVICE, GX_MEM_DEVICE, GX_PAT_BW, 0, 1, 1, 256 * M, 0, 0, OK, 900, 0},
    /* latency, bibw and failed results are not the one-way bandwidth */
    {"nccl", GX_MEM_DEVICE, GX_MEM_DEVICE, GX_PAT_LATENCY, 0, 1, 1, G, 0, 0, OK, 1, 0},
    {"nccl", GX_MEM_DEVICE, GX_MEM_DEVICE, GX_PAT_BIBW, 0, 1, 1, G, 0, 0, OK, 2000, 0},
    {"nccl", GX_MEM_DEVICE, GX_MEM_DEVICE, GX_PAT_BW, 0, 1, 1, G, 0, 0, FAILED, 0, 0},
    /* PCIe pair, tiny class: one path only */
    {"mpi", GX_MEM_DEVICE, GX_MEM_DEVICE, GX_PAT_BW, 4, 5, 1, 8, 0, 0, OK, 0.5, 0},
    /* other node */
    {"mpi", GX_MEM_DEVICE, GX_MEM_DEVICE, GX_PAT_BW, 0, 6, 0, 65536, 0, 0, OK, 3, 0},
};
#define NROWS GX_ARRAY_LEN(rows)

static const struct gx_pair_link links[] = {{0, 1, "NV18"}, {2, 3, "NV18"}, {4, 5, "PXB"}};

/* The plan of these results before they were typed (read from the report's cJSON results). */
static const char *want_plan =
    "[{\"pair_type\":\"same node, NVLink\",\"data\":\"gpu\",\"size_class\":\"huge\",\"size\":"
    "1073741824,\"best\":{\"path\":\"p2p\",\"mem\":{\"src\":\"device\",\"dst\":\"device\"},\""
    "chunk\":1073741824,\"depth\":1,\"gbps\":370,\"efficiency\":0.94,\"pairs\":2},\"runner_up"
    "\":{\"path\":\"staged\",\"mem\":{\"src\":\"device\",\"dst\":\"device\"},\"chunk\":419430"
    "4,\"depth\":2,\"gbps\":9,\"efficiency\":null,\"pairs\":1}},{\"pair_type\":\"same node, N"
    "VLink\",\"data\":\"host\",\"size_class\":\"huge\",\"size\":1073741824,\"best\":{\"path\""
    ":\"mpi\",\"mem\":{\"src\":\"pinned\",\"dst\":\"pinned\"},\"gbps\":1000,\"efficiency\":nu"
    "ll,\"pairs\":1},\"runner_up\":null},{\"pair_type\":\"same node, PCIe\",\"data\":\"gpu\","
    "\"size_class\":\"tiny\",\"size\":8,\"best\":{\"path\":\"mpi\",\"mem\":{\"src\":\"device"
    "\",\"dst\":\"device\"},\"gbps\":0.5,\"efficiency\":null,\"pairs\":1},\"runner_up\":null}"
    ",{\"pair_type\":\"other node\",\"data\":\"gpu\",\"size_class\":\"small\",\"size\":65536,"
    "\"best\":{\"path\":\"mpi\",\"mem\":{\"src\":\"device\",\"dst\":\"device\"},\"gbps\":3,\""
    "efficiency\":null,\"pairs\":1},\"runner_up\":null}]";

static const cJSON *row_for(const cJSON *plan, const char *type, const char *data,
                           const char *cls)
{
    const cJSON *row;
    cJSON_ArrayForEach(row, plan)
    {
        if (strcmp(json_str(row, "pair_type"), type) == 0 &&
            strcmp(json_str(row, "data"), data) == 0 &&
            strcmp(json_str(row, "size_class"), cls) == 0)
            return row;
    }
    return NULL;
}

static void check_rows(const cJSON *plan)
{
    const cJSON *r = row_for(plan, "same node, NVLink", "gpu", "huge");
    const cJSON *best = cJSON_GetObjectItemCaseSensitive(r, "best");
    const cJSON *second = cJSON_GetObjectItemCaseSensitive(r, "runner_up");
    ok(r && json_num(r, "size") == 1073741824.0, "NVLink huge row compares at 1G, not 256M");
    ok(strcmp(json_str(best, "path"), "p2p") == 0 && json_num(best, "gbps") == 370 &&
           json_num(best, "pairs") == 2 && json_num(best, "efficiency") > 0.939 &&
           json_num(best, "efficiency") < 0.941,
       "best: p2p, averaged over its two pairs (370 GB/s, 94%%)");
    ok(strcmp(json_str(second, "path"), "staged") == 0 && json_num(second, "chunk") == 4194304 &&
           json_num(second, "depth") == 2 &&
           cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(second, "efficiency")),
       "runner-up: another path, its best chunk (4M/2), efficiency unknown");
    r = row_for(plan, "same node, NVLink", "host", "huge");
    ok(r && strcmp(json_str(cJSON_GetObjectItemCaseSensitive(r, "best"), "path"), "mpi") == 0 &&
           cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "runner_up")),
       "host memory at both ends: its own row, never the GPU row's best");
    r = row_for(plan, "same node, PCIe", "gpu", "tiny");
    ok(r && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "runner_up")),
       "a PCIe pair with one path: no runner-up");
    r = row_for(plan, "other node", "gpu", "small");
    ok(r && strcmp(json_str(cJSON_GetObjectItemCaseSensitive(r, "best"), "path"), "mpi") == 0,
       "ranks on different nodes form their own pair type");
}

/* The table's plan carries each way's marks (the pairs' means must not hide one pair's): ! a
 * result beyond its ceiling, = above it within the interval or over 100%, ? no sound ceiling,
 * ~ disturbed; and the line rate's share. */
static void check_marks(const struct gx_kept *res)
{
    struct gx_kept m[NROWS];
    memcpy(m, res, sizeof m);
    m[0].exceeded = 1;
    m[0].line_gbs = m[1].line_gbs = 450;
    m[0].line_share = 1.05;
    m[1].line_share = 0.8;
    m[3].unsound = 1;
    m[3].efficiency = 0.5;
    m[4].within = 1;
    m[4].efficiency = 0.9;
    m[9].noise = 1;
    m[10].unsound = 1;
    m[10].efficiency = 1.2;
    struct gx_transfer_plan p;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int rc = gx_transfer_plan_make(&p, m, NROWS, links, GX_ARRAY_LEN(links));
    if (f && rc == GX_OK)
        gx_view_draw(&gx_view_transfer_plan, &p, NULL, f, NULL, &(struct gx_err){0});
    if (f)
        fclose(f);
    ok(rc == GX_OK && p.n == 4 && text &&
           strstr(text, "  same node, NVLink   gpu   huge      1G  p2p device>device 1G/1            370.0   94%!   92%\n") &&
           strstr(text, "staged device>device 4M/2         9.000   50%?     -\n") &&
           strstr(text, "mpi pinned>pinned                  1000   90%=     -\n") &&
           strstr(text, "mpi device>device               0.5000~      -     -\n") &&
           strstr(text, "mpi device>device                 3.000  120%=     -\n"),
       "the printed plan: each way's marks (!, ?, =, ~) and its share of the line rate");
    if (text && !strstr(text, "94%!"))
        printf("# %s", text);
    free(text);
    gx_transfer_plan_free(&p);
}

/* The plan as the report has it. */
static cJSON *plan_of(const struct gx_kept *res, size_t nres, const struct gx_pair_link *links,
                      size_t nlinks)
{
    struct gx_transfer_plan p;
    cJSON *j = gx_transfer_plan_make(&p, res, nres, links, nlinks) == GX_OK
                   ? plan_json(&p)
                   : NULL;
    gx_transfer_plan_free(&p);
    return j;
}

int main(void)
{
    struct gx_kept res[NROWS];
    ok(kept_from_rows(rows, NROWS, res) == 0, "constructed results name known paths");
    cJSON *plan = plan_of(res, NROWS, links, GX_ARRAY_LEN(links));
    ok(plan && cJSON_GetArraySize(plan) == 4,
       "four rows: NVLink huge (GPU memory, host memory), PCIe tiny, other node small");
    check_rows(plan);
    ok(prints_as(plan, want_plan), "the whole plan as the plan read from cJSON results made it");
    cJSON_Delete(plan);
    plan = plan_of(res, NROWS, NULL, 0);
    const cJSON *r = row_for(plan, "same node", "gpu", "huge");
    ok(r && !row_for(plan, "same node, NVLink", "gpu", "huge") &&
           strcmp(json_str(cJSON_GetObjectItemCaseSensitive(r, "best"), "path"), "p2p") == 0,
       "without the pairs' links: same-node pairs of an unknown link");
    cJSON_Delete(plan);
    check_marks(res);
    cJSON *none = plan_of(NULL, 0, NULL, 0);
    ok(none && cJSON_GetArraySize(none) == 0, "no results: an empty plan");
    cJSON_Delete(none);
    return tap_done();
}
