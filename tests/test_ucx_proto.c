/* UCX_PROTO_INFO's tables (src/report/ucx_proto.c) on output recorded from UCX 1.13 (this CPU
 * machine, UCX_PROTO_ENABLE=y) and UCX 1.22 (the Open MPI 5 kit on H200s: y, and used with its
 * count column), then the report's entries and the flag of a result under half its ceiling. */
#include "path.h"
#include "pattern.h"
#include "tap.h"
#include "ucx_proto.h"
#include "kept.h"
#include "report.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *name)
{
    const char *top = getenv("top_srcdir");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/ucx-proto/%s", top ? top : ".", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t cap = 0;
    if (getdelim(&text, &cap, '\0', f) < 0) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

/* The one protocol and transport found, "protocol | transports", or how many there were. */
static const char *one(const struct gx_ucx_proto *p, const char *ep, const char *mem, size_t size)
{
    static char buf[256];
    const struct gx_ucx_proto_row *got[8];
    size_t n = gx_ucx_proto_find(p, ep, mem, size, got, 8);
    if (n != 1)
        snprintf(buf, sizeof buf, "%zu rows", n);
    else
        snprintf(buf, sizeof buf, "%s | %s", got[0]->protocol, got[0]->transports);
    return buf;
}

static void recorded(void)
{
    struct gx_ucx_proto p = {0};
    char *t = slurp("ucx-1.22-ompi5-cuda.txt");
    ok(t != NULL, "the UCX 1.22 recording is there");
    gx_ucx_proto_parse(&p, t ? t : "");
    ok(p.n == 42, "1.22: 42 rows (%zu)", p.n);
    ok(!strcmp(one(&p, "intra-node", "cuda", 1 << 20),
               "(?) rendezvous zero-copy read from remote | cuda_ipc/cuda"),
       "1.22: 1 MiB from cuda/GPU0 within a node: rendezvous over cuda_ipc (%s)",
       one(&p, "intra-node", "cuda", 1 << 20));
    ok(!strcmp(one(&p, "intra-node", "host", 8), "eager short | sysv/memory"),
       "1.22: 8 B from host memory: eager short over sysv (%s)", one(&p, "intra-node", "host", 8));
    ok(!strcmp(one(&p, "intra-node", "host", 300000),
               "(?) rendezvous zero-copy read from remote | cma/memory"),
       "1.22: 300000 B, past 256K..inf and N..inf: rendezvous over cma (%s)",
       one(&p, "intra-node", "host", 300000));
    ok(!strcmp(one(&p, "inter-node", "cuda", 1 << 20), "0 rows"),
       "1.22: no inter-node table recorded, none found");
    ok(!strcmp(one(&p, "intra-node", "cuda", 0), "eager short | sysv/memory"),
       "1.22: the single-size range '0' read");
    free(t);
    gx_ucx_proto_free(&p);

    t = slurp("ucx-1.13-ompi4-host.txt");
    gx_ucx_proto_parse(&p, t ? t : "");
    ok(p.n == 22, "1.13: 22 rows (%zu)", p.n);
    ok(!strcmp(one(&p, NULL, "host", 8), "eager short | sysv/memory"),
       "1.13: 8 B, the self endpoint's rows left out (%s)", one(&p, NULL, "host", 8));
    ok(!strcmp(one(&p, NULL, "host", 4 << 20),
               "(?) rendezvous zero-copy read from remote | cma/memory"),
       "1.13: 4 MiB: rendezvous over cma (%s)", one(&p, NULL, "host", 4 << 20));
    free(t);
    gx_ucx_proto_free(&p);

    t = slurp("ucx-1.22-used-host.txt");
    gx_ucx_proto_parse(&p, t ? t : "");
    ok(p.n == 7, "1.22 used: 7 rows, the count column skipped (%zu)", p.n);
    const struct gx_ucx_proto_row *got[8];
    size_t n = gx_ucx_proto_find(&p, "intra-node", "host", 100, got, 8);
    ok(n == 1 && !strcmp(got[0]->protocol, "eager copy-in copy-out") &&
           !strcmp(got[0]->op, "tagged message by ucp_tag_send*(fast-completion)") &&
           got[0]->lo == 93 && got[0]->hi == 8248,
       "1.22 used: 100 B, the operation's variant and its range");
    free(t);
    gx_ucx_proto_free(&p);

    gx_ucx_proto_parse(&p, "no table here\n[1.0] [h:1 :0]   | not | a | row |\n"
                           "[1.0] [h:1 :0] ucp_worker.c:99 UCX  WARN  a warning\n");
    ok(p.n == 0 && strstr(p.other, "no table here") && strstr(p.other, "WARN  a warning"),
       "no table: no rows; the other lines kept for stderr");
    gx_ucx_proto_free(&p);
}

/* The view's report member and its table lines, as the run's end draws them. */
static cJSON *drawn(const struct gx_run *run, FILE *table)
{
    cJSON *j = NULL;
    struct gx_err err = {0};
    gx_view_draw(&gx_view_protocols, NULL, run, table, &j, &err);
    return j;
}

static void report(void)
{
    struct gx_ucx_proto p = {0};
    char *t = slurp("ucx-1.22-ompi5-cuda.txt");
    gx_ucx_proto_parse(&p, t ? t : "");
    free(t);
    int mpi = gx_path_lookup("mpi"), staged = gx_path_lookup("staged");
    struct gx_kept k[3] = {
        {.path = mpi, .src_kind = GX_MEM_DEVICE, .dst_kind = GX_MEM_DEVICE, .pattern = GX_PAT_BW,
         .a = 0, .b = 1, .same_node = 1, .state = GX_STATE_OK, .size = 1 << 20, .median = 8.8,
         .efficiency = 0.29},
        {.path = staged, .src_kind = GX_MEM_DEVICE, .dst_kind = GX_MEM_DEVICE,
         .pattern = GX_PAT_BW, .a = 0, .b = 1, .same_node = 1, .state = GX_STATE_OK,
         .size = 1 << 20, .median = 41.9, .efficiency = 0.97},
        {.path = mpi, .src_kind = GX_MEM_DEVICE, .dst_kind = GX_MEM_DEVICE,
         .pattern = GX_PAT_LATENCY, .a = 0, .b = 1, .same_node = 1, .state = GX_STATE_OK,
         .size = 8, .median = 150.0},
    };
    const struct gx_run run = {.proto = &p, .kept = k, .nkept = 3};
    cJSON *j = drawn(&run, NULL);
    ok(j && cJSON_GetArraySize(j) == 2, "one entry per mpi result of rank 0");
    cJSON *bw = cJSON_GetArrayItem(j, 0), *lat = cJSON_GetArrayItem(j, 1);
    cJSON *fr = cJSON_GetObjectItem(bw, "faster_route");
    cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItem(bw, "chosen"), 0);
    ok(fr && !strcmp(cJSON_GetObjectItem(fr, "path")->valuestring, "staged") &&
           ch && !strcmp(cJSON_GetObjectItem(ch, "transports")->valuestring, "cuda_ipc/cuda"),
       "bw 1 MiB at 29%% of its ceiling: flagged, staged faster; UCX's cuda_ipc named");
    ok(lat && !cJSON_GetObjectItem(lat, "faster_route"), "latency: never flagged");
    cJSON_Delete(j);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f) {
        cJSON_Delete(drawn(&run, f));
        fclose(f);
    }
    ok(text && strstr(text, "\n! bw   cuda        1048576 (?) rendezvous zero-copy read from "
                            "remote cuda_ipc/cuda  [29% of its ceiling; staged 41.9 GB/s against "
                            "8.8]\n") && !strstr(text, "latency"),
       "the table: bw flagged, its protocol and the faster path; latency in the report alone");
    free(text);
    k[0].efficiency = 0.5;
    j = drawn(&run, NULL);
    ok(j && !cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "faster_route"),
       "at half its ceiling: not flagged");
    cJSON_Delete(j);
    gx_ucx_proto_free(&p);
    ok(drawn(&run, NULL) == NULL, "no tables: no entry in the report");
}

int main(void)
{
    recorded();
    report();
    return tap_done();
}
