/* The link arithmetic (PCIe per generation, NVLink per NVML version), the routes of pairs (the
 * narrowest link first, unknown rates last) and the health checks, on typed facts. */
#include "job.h"
#include "kept.h"
#include "links.h"
#include "links_store.h"
#include "mem.h"
#include "output.h"
#include "pattern.h"
#include "rating.h"
#include "report.h"
#include "tap.h"
#include "view.h"
#include "topo.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static struct gx_link_facts gpu(int rank, int node, const char *bus, int cur_gen, int cur_w,
                                int max_gen, int max_w, int links, int active)
{
    struct gx_link_facts f;
    memset(&f, 0, sizeof f);
    f.rank = rank;
    f.node = node;
    f.has_gpu = 1;
    snprintf(f.busid, sizeof f.busid, "%s", bus);
    f.pcie = (struct gx_pcie_facts){.cur_gen = cur_gen, .cur_width = cur_w, .max_gen = max_gen,
                                    .max_width = max_w, .cur_src = GX_SRC_NVML,
                                    .max_src = GX_SRC_NVML};
    f.nvlink = (struct gx_nvlink_facts){.nvml_version = 6, .links = links, .active = active};
    return f;
}

static void peer(struct gx_link_facts *f, int rank, int nvlinks, const char *pci)
{
    struct gx_peer_link *p = &f->peers[f->npeers++];
    p->rank = rank;
    p->nvlinks = nvlinks;
    snprintf(p->pci, sizeof p->pci, "%s", pci);
}

/* n facts as rank 0 keeps them: each checked as it came from its rank, and stored. */
static struct gx_link_store *store_of(const struct gx_link_facts *f, int n)
{
    struct gx_link_store *s = calloc(1, sizeof *s);
    for (int i = 0; s && i < n; i++) {
        struct gx_link_facts back;
        if (gx_link_facts_unpack(&f[i], sizeof f[i], &back) != 0 ||
            gx_link_store_add(s, &back) != 0)
            printf("# rank %d's facts were not stored\n", i);
    }
    return s;
}

static int health(const struct gx_link_facts *f, int n, struct gx_health *h, int max)
{
    struct gx_link_store *s = store_of(f, n);
    int found = gx_health_from_store(s, h, max);
    gx_link_store_free(s);
    free(s);
    return found;
}

static int has(const struct gx_health *h, int n, const char *check, int rank, const char *text)
{
    for (int i = 0; i < n; i++)
        if (strcmp(h[i].check, check) == 0 && h[i].rank == rank && strstr(h[i].line, text))
            return 1;
    return 0;
}

/* The whole of a small file, for the assertions on what was printed. */
static char *slurp(FILE *f)
{
    static char buf[8192];
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    return buf;
}

static int pattern_index(const char *name)
{
    for (int i = 0; gx_pattern_table[i]; i++)
        if (strcmp(gx_pattern_table[i]->name, name) == 0)
            return i;
    return -1;
}

/* One bandwidth result of the pair 0->1 over facts f, through rating, the report, the CSV, the
 * table and the health checks. */
/* The kept results' findings (their view's), at most 8. */
static int kept_findings(const struct gx_kept *k, size_t n, struct gx_health *h)
{
    const struct gx_run run = {.kept = k, .nkept = n};
    return gx_view_kept.findings(NULL, &run, h, 0, 8);
}

static void test_results(struct gx_link_facts *f)
{
    struct gx_topo_rank t;
    memset(&t, 0, sizeof t);
    t.all_facts = store_of(f, 4);
    struct gx_job job;
    memset(&job, 0, sizeof job);
    job.topo = &t;
    struct gx_path_ops direct = {.name = "p2p"}, staged = {.name = "staged",
                                                           .flags = GX_PATH_VIA_HOST};
    int bw = pattern_index("bw"), bibw = pattern_index("bibw");
    struct gx_result r = {
        .path = "p2p", .src_mem = "device", .dst_mem = "device", .pattern = "bw",
        .unit = "GB/s", .src_kind = gx_mem_lookup("device"), .dst_kind = gx_mem_lookup("device"),
        .pattern_kind = bw, .family = GX_FAMILY_ONE_WAY, .a = 0, .b = 1, .same_node = 1,
        .size = (size_t)64 << 20, .iters = 10, .window = 8, .state = GX_STATE_OK,
        .bad_offset = -1, .ceiling = 300, .efficiency = 340.0 / 300,
    };
    double s[] = {330, 340, 350};
    gx_stats_compute(s, 3, &r.stats);
    gx_line_apply(&job, &direct, &r);
    ok(near(r.line_gbs, 425) && near(r.line_share, 340.0 / 425) && !r.line_exceeded &&
       r.line_kind == GX_LINK_NVLINK && strstr(r.line_what, "NVLink 4, 17 links"),
       "p2p device>device 0->1: NVLink's 425 GB/s, share %.3f (%s)", r.line_share, r.line_what);
    gx_line_apply(&job, &staged, &r);
    ok(near(r.line_gbs, gx_pcie_gbs(5, 16)) && r.line_exceeded && r.line_kind == GX_LINK_PCIE,
       "staged: the PCIe links' %.2f GB/s, 340 above it: exceeded", r.line_gbs);
    r.pattern_kind = bibw;
    r.family = GX_FAMILY_BOTH_WAYS;
    gx_line_apply(&job, &direct, &r);
    ok(near(r.line_gbs, 850), "bibw: both directions' line rate, %.0f GB/s", r.line_gbs);
    r.b = 0; /* staged on one GPU: both ways over its one PCIe link share each direction */
    gx_line_apply(&job, &staged, &r);
    ok(near(r.line_gbs, gx_pcie_gbs(5, 16)), "bibw staged on one GPU: one link's %.2f GB/s",
       r.line_gbs);
    r.b = 1;
    r.family = GX_FAMILY_LATENCY;
    gx_line_apply(&job, &direct, &r);
    ok(r.line_gbs == 0 && !r.line_what[0], "latency: no line rate");
    r.pattern_kind = bw;
    r.family = GX_FAMILY_ONE_WAY;
    r.src_kind = r.dst_kind = gx_mem_lookup("pageable");
    gx_line_apply(&job, &direct, &r);
    ok(r.line_gbs == 0 && strstr(r.line_what, "host memory"), "host memory on one node: none (%s)",
       r.line_what);

    /* Into the report, the CSV and the table. */
    r.src_kind = r.dst_kind = gx_mem_lookup("device");
    gx_line_apply(&job, &staged, &r);
    cJSON *o = gx_result_json(&r);
    const cJSON *lg = cJSON_GetObjectItem(o, "line_gbs");
    const cJSON *ls = cJSON_GetObjectItem(o, "line_share");
    ok(cJSON_IsNumber(lg) && near(lg->valuedouble, r.line_gbs) && cJSON_IsNumber(ls) &&
       cJSON_IsTrue(cJSON_GetObjectItem(o, "line_exceeded")) &&
       cJSON_IsString(cJSON_GetObjectItem(o, "line_route")),
       "report: line_gbs, line_share, line_route, line_exceeded");
    cJSON_Delete(o);
    FILE *csv = tmpfile();
    struct gx_csv c;
    gx_csv_init(&c, csv, NULL);
    struct gx_err err = {0};
    gx_csv_result(&c, &r, &err);
    const char *text = slurp(csv);
    ok(strstr(text, ",line_gbs,line_share,line_exceeded,collective,") &&
       strstr(text, ",host,job,time\n") && strstr(text, ",true,,,,,,,,,,,20"),
       "CSV: the three columns, line_exceeded true; a pair's collective columns empty; no host "
       "or job known, the line's time");
    fclose(csv);
    FILE *tab = tmpfile();
    static struct gx_options none;
    struct gx_table out;
    gx_table_init(&out, tab, &none);
    r.last = 1; /* measured to its step's last visit: no partial mark */
    gx_table_add(&out, &r);
    gx_line_apply(&job, &direct, &r);
    r.step++; /* another step's row, not the same one's next visit */
    gx_table_add(&out, &r);
    gx_table_print(&out);
    text = slurp(tab);
    int widest = 0;
    for (const char *l = text; *l;) {
        int n = (int)strcspn(l, "\n");
        widest = n > widest ? n : widest;
        l += n + (l[n] == '\n');
    }
    ok(strstr(text, " eff% line%\n") && strstr(text, " 113.3  540!\n") &&
       strstr(text, " 113.3    80\n") && widest <= 100,
       "table: a line%% column, 540! above the line rate, 80 below; at most 100 columns (%d)",
       widest);
    printf("%s", text);
    fclose(tab);

    /* A cv made of one interrupted iteration: * after it in the table, noise.worst in the
     * report. */
    tab = tmpfile();
    out.f = tab;
    struct gx_result one = r;
    one.stats.cv = 11.59;
    one.noise.worst = 12.0f;
    gx_table_add(&out, &one);
    gx_table_print(&out);
    gx_table_free(&out);
    text = slurp(tab);
    o = gx_result_json(&one);
    const cJSON *w = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "noise"), "worst");
    ok(strstr(text, " 1159* ") && cJSON_IsNumber(w) && near(w->valuedouble, 12.0),
       "an iteration 12x the median: cv%% 1159* in the table, noise.worst 12 in the report");
    cJSON_Delete(o);
    fclose(tab);

    /* Health from the results: above the line rate; a ceiling below the usual share. */
    struct gx_kept k[3];
    gx_line_apply(&job, &staged, &r);
    k[0] = gx_kept_of(&r);
    r.size = (size_t)1 << 20;
    k[1] = gx_kept_of(&r);
    gx_line_apply(&job, &direct, &r);
    r.size = (size_t)64 << 20;
    r.b = 1;
    r.path_kind = 1;
    k[2] = gx_kept_of(&r);
    k[2].ceiling = 200; /* 47% of NVLink's 425 GB/s */
    k[2].ceiling_kind = GX_CEIL_PEER;
    struct gx_health h[8];
    int n = kept_findings(k, 3, h);
    int above = 0, low = 0;
    for (int i = 0; i < n; i++) {
        above += strcmp(h[i].check, "above-line-rate") == 0;
        low += strcmp(h[i].check, "ceiling-below-usual-share") == 0;
        printf("# %s: %s\n", h[i].check, h[i].line);
    }
    ok(above == 1 && low >= 1, "above the line rate once for its two sizes (%d), a ceiling at "
       "47%% of NVLink named (%d)", above, low);
    /* The same low ceiling set by another layer (MPI's host memory copy, the SMs on mapped
     * memory) says nothing of the link: no finding. */
    static const int other_layers[] = {GX_CEIL_SHM_COPY, GX_CEIL_MAPPED, GX_CEIL_COPY};
    for (size_t j = 0; j < sizeof other_layers / sizeof other_layers[0]; j++) {
        k[2].ceiling_kind = other_layers[j];
        n = kept_findings(k, 3, h);
        low = 0;
        for (int i = 0; i < n; i++)
            low += strcmp(h[i].check, "ceiling-below-usual-share") == 0;
        ok(low == 0, "a ceiling at 47%% of NVLink set by %s: no finding (%d)",
           gx_ceil_kind_name((enum gx_ceil_kind)other_layers[j]), low);
    }
    k[2].ceiling_kind = GX_CEIL_PEER;
    /* A chunked result's ceiling is measured at its chunk: at 1 MiB, whose per-copy costs keep
     * it below a link's usual share, it says nothing of the link; at 16 MiB it does. */
    int low_at[2] = {0, 0};
    for (int c = 0; c < 2; c++) {
        k[2].chunk = c ? (size_t)16 << 20 : (size_t)1 << 20;
        n = kept_findings(k, 3, h);
        for (int i = 0; i < n; i++)
            low_at[c] += strcmp(h[i].check, "ceiling-below-usual-share") == 0;
    }
    k[2].chunk = 0;
    ok(low_at[0] == 0 && low_at[1] == 1, "a low ceiling at the chunk: no finding at 1 MiB chunks "
       "(%d), one at 16 MiB (%d)", low_at[0], low_at[1]);

    /* Four pairs of one measurement over NVLink at one rate: the one at half its siblings'. */
    struct gx_kept sib[4];
    for (int i = 0; i < 4; i++) {
        sib[i] = k[2];
        sib[i].ceiling = 0;
        sib[i].a = 2 * i;
        sib[i].b = 2 * i + 1;
        sib[i].median = i == 2 ? 180 : 360 + i;
    }
    n = kept_findings(sib, 4, h);
    ok(n == 1 && !strcmp(h[0].check, "below-siblings") && h[0].rank == 4 &&
       strstr(h[0].line, "well below its 3 siblings' 361"), "the pair at half its 3 siblings' "
       "median is named: %s", n ? h[0].line : "none");
    sib[2].median = 300; /* 83%: within the siblings' spread */
    n = kept_findings(sib, 4, h);
    ok(n == 0, "at 83%% of its siblings: no finding");

    /* A map of 201 pairs: every sibling counts, not the first few. The first 64 at 1000 GB/s,
     * the 136 after them at 400 and one at 700: the siblings' median is 400 for all of them, so
     * no pair is well below it (against the first 64 alone, the median 1000, all 137 were). */
    enum { NMAP = 201 };
    static struct gx_kept map[NMAP];
    for (int i = 0; i < NMAP; i++) {
        map[i] = sib[0];
        map[i].a = i;
        map[i].b = i + 1;
        map[i].median = i == NMAP - 1 ? 700 : i < 64 ? 1000 : 400;
    }
    n = kept_findings(map, NMAP, h);
    int below = 0;
    for (int i = 0; i < n; i++)
        below += !strcmp(h[i].check, "below-siblings");
    ok(below == 0, "201 pairs: judged against all 200 siblings' median, none well below it (%d "
       "named)", below);
    gx_link_store_free(t.all_facts);
    free(t.all_facts);
}

int main(void)
{
    /* PCIe: lane rate x width x encoding / 8. */
    ok(near(gx_pcie_gbs(3, 16), 8.0 * 16 * 128 / 130 / 8), "gen3 x16: %.4f GB/s (hwloc: 15.75)",
       gx_pcie_gbs(3, 16));
    ok(near(gx_pcie_gbs(5, 16), 32.0 * 16 * 128 / 130 / 8), "gen5 x16: %.4f GB/s (hwloc: 63.02)",
       gx_pcie_gbs(5, 16));
    ok(near(gx_pcie_gbs(1, 16), 2.5 * 16 * 0.8 / 8) && near(gx_pcie_gbs(2, 8), 5.0 * 8 * 0.8 / 8),
       "gen1 and gen2: 8b/10b");
    ok(near(gx_pcie_gbs(4, 8), 16.0 * 8 * 128 / 130 / 8), "gen4 x8: %.3f GB/s", gx_pcie_gbs(4, 8));
    ok(near(gx_pcie_gbs(6, 16), 128.0), "gen6 x16: 128 GB/s (FLIT mode, no line encoding)");
    ok(gx_pcie_gbs(7, 16) == 0 && gx_pcie_gbs(5, 0) == 0, "unknown gen or width: 0, no guess");
    ok(gx_pcie_gen_of_gts(16.0) == 4 && gx_pcie_gen_of_gts(2.5) == 1 &&
       gx_pcie_gen_of_gts(3.0) == 0, "sysfs GT/s to a generation");

    /* NVLink: NVML's version values are an enum, not the generation. */
    double per = 0;
    ok(gx_nvlink_generation(6, &per) == 4 && near(per, 25), "NVML version 6: NVLink 4, 25 GB/s");
    ok(gx_nvlink_generation(7, &per) == 5 && near(per, 50), "NVML version 7: NVLink 5, 50 GB/s");
    ok(gx_nvlink_generation(4, &per) == 3 && near(per, 25), "NVML version 4: NVLink 3 (A100)");
    ok(gx_nvlink_generation(99, &per) == 0 && per == 0, "an unknown version: unknown rate");

    /* Routes on one NVSwitch node: GPU 1 with a link down, GPU 3 at gen4 x8. */
    struct gx_link_facts f[4];
    f[0] = gpu(0, 0, "0000:00:06.0", 5, 16, 5, 16, 18, 18);
    f[1] = gpu(1, 0, "0000:00:07.0", 5, 16, 5, 16, 18, 17);
    f[2] = gpu(2, 0, "0000:00:08.0", 5, 16, 5, 16, 18, 18);
    f[3] = gpu(3, 0, "0000:00:09.0", 4, 8, 5, 16, 18, 18);
    peer(&f[0], 1, 17, "");
    peer(&f[2], 3, 0, "SYS");
    struct gx_route r;
    gx_route_pair(&f[0], &f[1], 1, 1, 0, &r);
    ok(r.nhops == 1 && r.hops[0].kind == GX_LINK_NVLINK && near(r.line_gbs, 17 * 25.0),
       "device to device over NVSwitch: NVLink 4, 17 links, %.1f GB/s", r.line_gbs);
    gx_route_pair(&f[0], &f[1], 1, 1, 1, &r);
    ok(r.nhops == 2 && r.hops[0].kind == GX_LINK_PCIE && near(r.line_gbs, gx_pcie_gbs(5, 16)),
       "staged (through the host): both PCIe links, %.2f GB/s", r.line_gbs);
    gx_route_pair(&f[2], &f[3], 1, 1, 0, &r);
    ok(r.nhops == 3 && r.hops[0].rank == 3 && r.hops[2].kind == GX_LINK_SOCKET && r.partial &&
       near(r.line_gbs, gx_pcie_gbs(5, 8)),
       "no NVLink, SYS: the narrowest first (rank 3's x8 at its max gen: %.2f), the socket link "
       "last, unknown", r.line_gbs);
    f[3].pcie.under_load = 1;
    gx_route_pair(&f[2], &f[3], 1, 1, 0, &r);
    ok(near(r.line_gbs, gx_pcie_gbs(4, 8)), "read under load: gen4 x8, %.2f GB/s", r.line_gbs);
    gx_route_pair(&f[0], &f[0], 1, 1, 0, &r);
    ok(r.nhops == 0 && r.line_gbs == 0 && strstr(r.why, "same GPU"), "the same GPU: no link");
    gx_route_pair(&f[0], &f[1], 0, 0, 0, &r);
    ok(r.nhops == 0 && r.line_gbs == 0, "host memory on one node: no link");
    gx_route_pair(&f[0], &f[1], 0, 1, 0, &r);
    ok(r.nhops == 1 && r.hops[0].rank == 1, "host to device: the device side's PCIe link");

    /* A GPU with C2C links reaches host memory through them, not PCIe. */
    f[1].c2c = (struct gx_c2c_facts){.links = 10, .active = 9, .gbs = 405};
    gx_route_pair(&f[0], &f[1], 0, 1, 0, &r);
    ok(r.nhops == 1 && r.hops[0].kind == GX_LINK_C2C && near(r.line_gbs, 405),
       "host to a device with C2C: C2C, 9 links, %.0f GB/s", r.line_gbs);
    f[1].c2c = (struct gx_c2c_facts){.links = 0, .active = 0};

    /* Across nodes: both NICs and both PCIe links; a NIC without a rate is unknown. */
    struct gx_link_facts a = gpu(0, 0, "0000:00:06.0", 5, 16, 5, 16, -1, -1);
    struct gx_link_facts b = gpu(1, 1, "0000:00:06.0", 5, 16, 5, 16, -1, -1);
    snprintf(a.nic.name, sizeof a.nic.name, "mlx5_0");
    a.nic.gbits = 400;
    a.nic.src = GX_SRC_SYSFS;
    snprintf(a.nic.where, sizeof a.nic.where, "/sys/class/infiniband/mlx5_0/ports/1/rate");
    b.nic = a.nic;
    b.nic.gbits = 200;
    gx_route_pair(&a, &b, 1, 1, 0, &r);
    ok(r.nhops == 4 && r.hops[0].kind == GX_LINK_NIC && r.hops[0].rank == 1 &&
       near(r.line_gbs, 25.0) && !r.partial, "across nodes: the 200 Gb/s NIC first, 25 GB/s");

    /* Health. */
    struct gx_health h[16];
    f[3].pcie.under_load = 0;
    int n = health(f, 4, h, 16);
    ok(has(h, n, "pcie-below-max", 3, "x8") && has(h, n, "nvlink-down", 1, "1 NVLink down"),
       "GPU 3's x8 (gen read at idle) and GPU 1's link down are named");
    ok(n == 2, "nothing else: %d lines", n);
    for (int i = 0; i < n; i++)
        printf("# %s: %s [%s]\n", h[i].check, h[i].line, h[i].evidence);
    f[3].pcie.cur_width = 16;
    n = health(f, 4, h, 16);
    ok(n == 1 && !has(h, n, "pcie-below-max", 3, ""), "gen4 read at idle, full width: not judged");
    f[3].pcie.under_load = 1;
    n = health(f, 4, h, 16);
    ok(has(h, n, "pcie-below-max", 3, "gen4"), "gen4 read under load: named");
    f[1].nvlink.links = 17; /* NVML lists only the active ones: the siblings tell */
    n = health(f, 4, h, 16);
    ok(has(h, n, "nvlink-below-siblings", 1, "17"), "17 of 17 active, siblings 18: named");
    struct gx_link_facts ab[2] = {a, b};
    n = health(ab, 2, h, 16);
    ok(n == 1 && has(h, n, "nic-below-siblings", 1, "200 Gb/s"), "the 200 Gb/s NIC is named");
    struct gx_link_facts twice[2] = {f[3], f[3]};
    twice[1].rank = 9;
    n = health(twice, 2, h, 16);
    ok(n == 1, "a GPU two ranks share is judged once");
    test_results(f);
    return tap_done();
}
