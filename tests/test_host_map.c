/* The node's map of host links from constructed ceilings (no GPU): per-GPU rows of H2D and D2H
 * against the GPU's PCIe line rate, a GPU well below its siblings marked '<' in the table, true
 * in the report and a health finding; a disturbed median marked '~' and never below; an absent
 * direction said with its reason; no line rate, no mark; and the ceilings' per-GPU curves
 * under "gpus", not as rank pairs. */
#include "ceilings_back.h"
#include "kept.h"
#include "report.h"
#include "tap.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE ((size_t)16 << 20)

static void put(struct gx_ceilings *c, enum gx_ceil_kind kind, int rank, double median,
                unsigned noise, const char *absent)
{
    struct gx_ceil_point pt = {.size = SIZE};
    struct gx_err err = {0};
    if (!absent) {
        pt.best = pt.max = median * 1.01;
        pt.median = median;
        pt.min = median * 0.99;
        pt.iters = 5;
        pt.noise.marks = noise;
    }
    if (gx_ceilings_put(c, kind, rank, -1, "test", &pt, absent, &err) != GX_OK)
        printf("# put: %s\n", err.msg);
}

/* Rank r's GPU on PCIe gen 5 x16 (63.0 GB/s), read under load. */
static struct gx_link_facts gpu_facts(int r)
{
    struct gx_link_facts f = {.rank = r, .node = 0, .has_gpu = 1};
    snprintf(f.busid, sizeof f.busid, "0000:%02x:00.0", 0x10 + r);
    f.pcie = (struct gx_pcie_facts){.cur_gen = 5, .cur_width = 16, .max_gen = 5, .max_width = 16,
                                    .cur_src = GX_SRC_NVML, .max_src = GX_SRC_NVML,
                                    .under_load = 1};
    f.nvlink.links = f.nvlink.active = -1;
    f.c2c.links = f.c2c.active = -1;
    return f;
}

/* The view made of the ceilings c and the facts (NULL: none known). */
static int make(struct gx_host_map *m, const struct gx_ceilings *c,
                const struct gx_link_store *facts, struct gx_err *err)
{
    const struct gx_context context = {.facts = facts};
    const struct gx_run run = {.ceilings = c, .context = &context};
    return gx_view_host_map.make(m, &run, err);
}

/* The view drawn as text (no context) and as the report's member. */
static char *printed(const struct gx_host_map *m)
{
    char *text = NULL;
    size_t len = 0;
    struct gx_err err = {0};
    FILE *f = open_memstream(&text, &len);
    if (f) {
        gx_view_draw(&gx_view_host_map, m, NULL, f, NULL, &err);
        fclose(f);
    }
    return text;
}

static cJSON *member(const struct gx_host_map *m)
{
    cJSON *j = NULL;
    struct gx_err err = {0};
    gx_view_draw(&gx_view_host_map, m, NULL, NULL, &j, &err);
    return j;
}

/* The table's row of `rank` (its line starts with the rank). */
static const char *row_line(const char *text, int rank, char *buf, size_t len)
{
    char want[16];
    snprintf(want, sizeof want, "  %5d ", rank);
    const char *at = text ? strstr(text, want) : NULL;
    buf[0] = '\0';
    if (at)
        snprintf(buf, len, "%.*s", (int)strcspn(at, "\n"), at);
    return buf;
}

static const cJSON *dir_of(const cJSON *hosts, int i, const char *key)
{
    const cJSON *gpus = cJSON_GetObjectItemCaseSensitive(hosts, "gpus");
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(gpus, i), key);
}

int main(void)
{
    struct gx_ceilings c = {0};
    double h2d[4] = {50, 51, 52, 30}, d2h[4] = {53, 53, 40, 55};
    for (int r = 0; r < 4; r++) {
        put(&c, GX_CEIL_H2D, r, h2d[r], 0, NULL);
        /* rank 2's D2H as low as rank 3's H2D, but the machine disturbed it */
        put(&c, GX_CEIL_D2H, r, d2h[r], r == 2 ? GX_NOISE_TAIL : 0, NULL);
    }
    put(&c, GX_CEIL_H2D, 4, 0, 0, "no GPU on rank 4");
    put(&c, GX_CEIL_D2H, 4, 0, 0, "no GPU on rank 4");
    /* a pair's ceiling is no host link */
    struct gx_ceil_point pt = {.size = SIZE, .best = 9, .median = 9, .min = 9, .max = 9, .iters = 5};
    struct gx_err err = {0};
    gx_ceilings_put(&c, GX_CEIL_COPY, 0, 1, "test", &pt, NULL, &err);

    struct gx_link_facts facts[5];
    for (int r = 0; r < 5; r++)
        facts[r] = gpu_facts(r);
    struct gx_link_store store = {0};
    for (int r = 0; r < 5; r++)
        gx_link_store_add(&store, &facts[r]);
    struct gx_host_map m;
    int made = make(&m, &c, &store, &err);
    ok(made == GX_OK && m.n == 5,
       "a row per rank with a host-link curve, the pair's ceiling left out (%d rows)", m.n);
    ok(m.size == SIZE && m.rows[3].rank == 3 && near(m.rows[3].gbs[GX_HOST_H2D], 30) &&
           near(m.rows[0].gbs[GX_HOST_D2H], 53),
       "each direction's median at the measured size");
    ok(m.rows[0].line_gbs > 62.9 && m.rows[0].line_gbs < 63.1 &&
           m.rows[0].line_kind == GX_LINK_PCIE && !strcmp(m.rows[0].busid, "0000:10:00.0"),
       "the line rate of the GPU's PCIe link (%.2f GB/s) and its bus id", m.rows[0].line_gbs);
    double med;
    int count;
    ok(gx_host_map_below(&m, 3, GX_HOST_H2D, &med, &count) && count == 3 && near(med, 51),
       "rank 3's H2D (30) is below its 3 siblings' median 51");
    int others = 0;
    for (int r = 0; r < 4; r++)
        for (int d = 0; d < GX_HOST_DIRS; d++)
            others += (r != 3 || d != GX_HOST_H2D) && gx_host_map_below(&m, r, d, &med, &count);
    ok(others == 0, "no other GPU or direction is below, rank 2's disturbed D2H among them");

    char *text = printed(&m), line[256];
    ok(text && strstr(row_line(text, 3, line, sizeof line), "30.000<"),
       "the table marks rank 3's H2D '<' (%s)", line);
    ok(text && strstr(row_line(text, 2, line, sizeof line), "40.000~") &&
           !strchr(line, '<'),
       "the table marks rank 2's disturbed D2H '~', not '<' (%s)", line);
    ok(text && strstr(row_line(text, 0, line, sizeof line), "0000:10:00.0") &&
           strstr(line, "63.0") && strstr(line, "79.3") && !strchr(line, '<'),
       "rank 0: bus id, line rate 63.0 and H2D at 79.3%% of it, unmarked (%s)", line);
    ok(text && strstr(row_line(text, 4, line, sizeof line), " -") &&
           strstr(text, "rank 4 device-to-host: absent: no GPU on rank 4"),
       "an absent direction: '-' and its reason");
    ok(text && strstr(text, "# <: well below its siblings") && strstr(text, "# ~: the machine"),
       "the legends of '<' and '~'");
    free(text);

    cJSON *hosts = member(&m);
    const cJSON *h3 = dir_of(hosts, 3, "host_to_device"), *d2 = dir_of(hosts, 2, "device_to_host");
    ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h3, "below_siblings")) &&
           near(cJSON_GetObjectItemCaseSensitive(h3, "line_share")->valuedouble,
                30 / m.rows[3].line_gbs),
       "the report: rank 3's host_to_device below_siblings, its line_share");
    ok(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d2, "disturbed")) &&
           cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(d2, "below_siblings")),
       "the report: rank 2's device_to_host disturbed, not below");
    ok(!strcmp(cJSON_GetObjectItemCaseSensitive(dir_of(hosts, 4, "device_to_host"), "absent")
                   ->valuestring, "no GPU on rank 4"),
       "the report: rank 4's device_to_host absent with its reason");
    cJSON_Delete(hosts);

    struct gx_health h[8];
    int nh = gx_view_host_map.findings(&m, NULL, h, 0, 8);
    ok(nh == 1 && !strcmp(h[0].check, "host-link-below-siblings") && h[0].rank == 3 &&
           strstr(h[0].line, "host-to-device copy 30 GB/s at 16M") && strstr(h[0].line, "3 siblings' 51"),
       "one health finding, rank 3's host link (%s)", nh ? h[0].line : "none");
    gx_host_map_free(&m);

    /* Without facts no line rate: nothing to compare a GPU with on the same kind of link. */
    ok(make(&m, &c, NULL, &err) == GX_OK && m.n == 5 &&
           !gx_host_map_below(&m, 3, GX_HOST_H2D, &med, &count) &&
           gx_view_host_map.findings(&m, NULL, h, 0, 8) == 0,
       "without a known line rate no GPU is marked below");
    gx_host_map_free(&m);

    cJSON *cal = gx_test_ceilings_back(&c);
    const cJSON *gpus = cJSON_GetObjectItemCaseSensitive(cal, "gpus");
    const cJSON *pairs = cJSON_GetObjectItemCaseSensitive(cal, "rank_pairs");
    ok(cJSON_GetArraySize(gpus) == 5 && cJSON_GetArraySize(pairs) == 1 &&
           cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(gpus, 3), "host_to_device"),
       "the ceilings: per-GPU curves under gpus (5), the pair's under rank_pairs (1)");
    cJSON_Delete(cal);
    gx_ceilings_free(&c);
    gx_link_store_free(&store);
    return tap_done();
}
