/* The end of the run's table of views (view.h) on a constructed finished run, no MPI job: every
 * view made, its findings added, its member in the report and its lines in the table, freed;
 * each view with something to say says it. */
#include "context.h"
#include "harness_out.h"
#include "kept_rows.h"
#include "links_store.h"
#include "run_report.h"
#include "sink.h"
#include "scheme.h"
#include "tap.h"
#include "ucx_proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define H GX_MEM_PAGEABLE

/* One node of two ranks: host bw both ways at two sizes, the pair matrices and the node's
 * local matrix complete; 0->1 at 16 MiB over a link it beats (a finding); mpi for the
 * protocols. */
static const struct kept_row rows[] = {
    {"host", H, H, GX_PAT_BW, 0, 1, 1, 8, 0, 0, OK, 1.5, 0},
    {"host", H, H, GX_PAT_BW, 1, 0, 1, 8, 0, 0, OK, 1.6, 0},
    {"host", H, H, GX_PAT_BW, 0, 1, 1, 16 * M, 0, 0, OK, 9, 0},
    {"host", H, H, GX_PAT_BW, 1, 0, 1, 16 * M, 0, 0, OK, 8, 0},
    {"mpi", H, H, GX_PAT_BW, 0, 1, 1, 8, 0, 0, OK, 1.2, 0},
    {"mpi", H, H, GX_PAT_BW, 1, 0, 1, 8, 0, 0, OK, 1.1, 0},
};
#define NROWS GX_ARRAY_LEN(rows)

/* Host links of four GPUs, rank 3's host-to-device well below the others (a finding). */
static void host_links(struct gx_ceilings *c, struct gx_link_store *store)
{
    struct gx_err err = {0};
    for (int r = 0; r < 4; r++)
        for (int d = 0; d < 2; d++) {
            double v = r == 3 && d == 0 ? 30 : 50 + r;
            struct gx_ceil_point pt = {.size = 16 * M, .best = v, .median = v, .min = v,
                                       .max = v, .iters = 5};
            gx_ceilings_put(c, d ? GX_CEIL_D2H : GX_CEIL_H2D, r, -1, "test", &pt, NULL, &err);
            struct gx_link_facts f = {.rank = r, .has_gpu = 1};
            snprintf(f.busid, sizeof f.busid, "0000:%02x:00.0", 0x10 + r);
            f.pcie = (struct gx_pcie_facts){.cur_gen = 5, .cur_width = 16, .max_gen = 5,
                                            .max_width = 16, .cur_src = GX_SRC_NVML,
                                            .max_src = GX_SRC_NVML, .under_load = 1};
            f.nvlink.links = f.nvlink.active = f.c2c.links = f.c2c.active = -1;
            if (d == 0)
                gx_link_store_add(store, &f);
        }
}

/* A UCX 1.13 selection table for host memory (tests/ucx-proto), as UCX_PROTO_INFO prints it. */
static const char ucx_log[] =
    "[1795478169.744674] [vm:6089 :0]   +--------------------------+---------------------------------------------------------+\n"
    "[1795478169.744680] [vm:6089 :0]   | 0x55bccdd07070 ep_cfg[1] | tagged message by ucp_tag_send*() from host memory      |\n"
    "[1795478169.744682] [vm:6089 :0]   +--------------------------+-------------------------------------------+-------------+\n"
    "[1795478169.744684] [vm:6089 :0]   |                    0..92 | eager short                               | sysv/memory |\n"
    "[1795478169.744686] [vm:6089 :0]   |                 93..6237 | eager copy-in copy-out                    | sysv/memory |\n"
    "[1795478169.744688] [vm:6089 :0]   |                6238..inf | (?) rendezvous zero-copy read from remote | cma/memory  |\n"
    "[1795478169.744690] [vm:6089 :0]   +--------------------------+-------------------------------------------+-------------+\n";

/* What each view leaves: its report member and a text of its table lines (NULL: none; a member
 * NULL: nothing on this run, whose one node has no other to compare (tests/test_coll_nodes), and
 * which has no --expect (tests/expect.sh)). */
static const struct {
    const char *view, *member, *line;
} says[] = {
    {"health", "health", "# health: "},
    {"status", "budget", NULL},
    {"matrices", "matrices", "# slow pairs"},
    {"host_links", "host_links", "0000:13:00.0"},
    {"layout_matrices", "layout_matrices", "# node 0's matrix"},
    {"collective_nodes", NULL, NULL},
    {"plan", "plan", "# transfer plan"},
    {"interference", "interference", "# the machine interfered"},
    {"library_protocols", "library_protocols", "eager short"},
    {"kept", "rounds", NULL},
    {"expect", NULL, NULL},
};

int main(void)
{
    struct gx_kept kept[NROWS];
    ok(kept_from_rows(rows, NROWS, kept) == 0, "constructed results name known paths");
    kept[2].line_gbs = 5;
    kept[2].line_share = 9.0 / 5;
    kept[2].line_kind = GX_LINK_PCIE;

    static struct gx_options opts;
    opts.g.slow_pair = 0.5;
    opts.g.budget = 10;
    struct gx_layout layout;
    struct gx_err err = {0};
    ok(gx_layout_assume(1, 2, &layout, &err) == GX_OK, "a layout of one node, two ranks");
    struct gx_ceilings c = {0};
    struct gx_link_store store = {0};
    host_links(&c, &store);
    struct gx_ucx_proto proto = {0};
    gx_ucx_proto_parse(&proto, ucx_log);
    struct gx_tally tally = {.ok = NROWS, .results = NROWS, .noisy = 1, .cpu_wait_max = -1,
                             .load_start = -1};
    struct gx_harness_out ho = {.gpu_lost_rank = -1, .measured_s = 1};

    char dir[] = "/tmp/gx-views-XXXXXX", path[256], *table = NULL;
    ok(mkdtemp(dir) != NULL, "temporary directory");
    snprintf(path, sizeof path, "%s/r.json", dir);
    char *argv[] = {"gpuxfer"};
    struct gx_report rep;
    ok(gx_report_open(&rep, path, 1, 1, argv, &err) == GX_OK, "report opens (%s)", err.msg);
    size_t len = 0;
    FILE *t = open_memstream(&table, &len);
    const struct gx_context context = {.facts = &store}; /* no rank's row: hosts are "?" */
    struct gx_run run = {
        .opts = &opts, .layout = &layout, .layout_views = GX_VIEW_NODE_LOCAL,
        .context = &context, .kept = kept, .nkept = NROWS, .tally = &tally, .ceilings = &c,
        .proto = &proto, .ho = &ho, .rounds = cJSON_CreateArray(), .least_s = 1, .table = t,
    };
    cJSON_AddItemToArray(run.rounds, cJSON_CreateObject());
    int code = gx_run_report_finish(&run, &rep);
    fclose(t);
    ok(code == GX_OK, "the report written (exit %d)", code);
    ok(run.health.n == 2 && run.health_from == 0, "two findings, the kept results' and the host "
       "links' (%d)", run.health.n);

    static char text[1 << 20];
    FILE *r = fopen(path, "r");
    size_t got = r ? fread(text, 1, sizeof text - 1, r) : 0;
    if (r)
        fclose(r);
    text[got] = '\0';
    cJSON *doc = cJSON_Parse(text);
    ok(doc, "the report is JSON (%zu bytes)", got);
    int views = 0;
    for (const struct gx_view_ops *const *v = gx_views; *v; v++, views++) {
        const char *member = NULL, *line = NULL;
        int listed = 0;
        for (size_t i = 0; i < GX_ARRAY_LEN(says); i++)
            if (!strcmp(says[i].view, (*v)->name))
                member = says[i].member, line = says[i].line, listed = 1;
        ok(listed && (member ? cJSON_GetObjectItemCaseSensitive(doc, member) != NULL
                             : !cJSON_GetObjectItemCaseSensitive(doc, (*v)->name)),
           "view %s: the report's %s", (*v)->name, member ? member : "(nothing on this run)");
        if (line)
            ok(table && strstr(table, line), "view %s: the table's \"%s\"", (*v)->name, line);
    }
    ok(views == GX_VIEWS && views == (int)GX_ARRAY_LEN(says), "%d views in the table", views);
    ok(prints_as(cJSON_GetObjectItemCaseSensitive(doc, "rounds"), "[{}]"),
       "the rounds handed over as they were");
    const cJSON *health = cJSON_GetObjectItemCaseSensitive(doc, "health");
    ok(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(health, "findings")) == 2,
       "the report's health has both findings");
    ok(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(health, "gpu_counters_absent")),
       "and says why it has no GPU counters (none were read)");
    ok(table && strstr(table, "# report: ") && strstr(table, "\n# health: ") <
                                                   strstr(table, "# transfer plan"),
       "the health lines first, the report's line last");
    cJSON_Delete(doc);
    free(table);
    gx_report_close(&rep);
    gx_run_free(&run);
    gx_ucx_proto_free(&proto);
    gx_ceilings_free(&c);
    gx_link_store_free(&store);
    gx_layout_free(&layout);
    unlink(path);
    char jsonl[300];
    snprintf(jsonl, sizeof jsonl, "%s.jsonl", path);
    unlink(jsonl);
    rmdir(dir);
    return tap_done();
}
