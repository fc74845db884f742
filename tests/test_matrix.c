/* Pair matrices from constructed typed results: one per (path, memory kinds, chunk/depth,
 * pattern, size) that covers every ordered pair, in the order the results first name it, as
 * the JSON-reading matrices made them for the same results; and what the sink keeps of a
 * result. */
#include "kept.h"
#include "report.h"
#include "links.h"
#include "noise.h"
#include "pairs.h"
#include "tap.h"
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kept_rows.h"

#define H GX_MEM_PAGEABLE
#define P GX_MEM_PINNED
#define D GX_MEM_DEVICE

static const struct kept_row rows[] = {
    /* 0->1 again below: the later result's median stands */
    {"host", H, H, GX_PAT_BW, 0, 1, 1, 8, 0, 0, OK, 1.5, 0},
    {"host", H, H, GX_PAT_LATENCY, 0, 1, 1, 8, 0, 0, OK, 10, 0},
    {"host", H, H, GX_PAT_LATENCY, 0, 2, 1, 8, 0, 0, OK, 11, 0},
    {"host", H, H, GX_PAT_LATENCY, 1, 0, 1, 8, 0, 0, OK, 12, 0},
    {"host", H, H, GX_PAT_LATENCY, 1, 2, 1, 8, 0, 0, OK, 13, 0},
    {"host", H, H, GX_PAT_LATENCY, 2, 0, 1, 8, 0, 0, OK, 14, 0},
    {"host", H, H, GX_PAT_LATENCY, 2, 1, 1, 8, 0, 0, OK, 15, 0},
    /* every pair of host bw at 8 B: the matrix the first row opened */
    {"host", H, H, GX_PAT_BW, 0, 1, 1, 8, 0, 0, OK, 1, 0},
    {"host", H, H, GX_PAT_BW, 0, 2, 1, 8, 0, 0, OK, 2, 0},
    {"host", H, H, GX_PAT_BW, 1, 0, 1, 8, 0, 0, OK, 3, 0},
    {"host", H, H, GX_PAT_BW, 1, 2, 1, 8, 0, 0, OK, 4, 0},
    {"host", H, H, GX_PAT_BW, 2, 0, 1, 8, 0, 0, OK, 5, 0},
    {"host", H, H, GX_PAT_BW, 2, 1, 1, 8, 0, 0, OK, 6, 0},
    /* left out: a failed result, a rank with itself, a rank beyond the job */
    {"host", H, H, GX_PAT_BW, 1, 2, 1, 8, 0, 0, FAILED, 0, 0},
    {"host", H, H, GX_PAT_BW, 1, 1, 1, 8, 0, 0, OK, 99, 0},
    {"host", H, H, GX_PAT_BW, 1, 3, 1, 8, 0, 0, OK, 99, 0},
    /* staged 1M/2 misses 2->1: no matrix; 1M/4 covers every pair */
    {"staged", D, D, GX_PAT_BW, 0, 1, 1, M, M, 2, OK, 40, 0},
    {"staged", D, D, GX_PAT_BW, 0, 2, 1, M, M, 2, OK, 41, 0},
    {"staged", D, D, GX_PAT_BW, 1, 0, 1, M, M, 2, OK, 42, 0},
    {"staged", D, D, GX_PAT_BW, 1, 2, 1, M, M, 2, OK, 43, 0},
    {"staged", D, D, GX_PAT_BW, 2, 0, 1, M, M, 2, OK, 44, 0},
    {"staged", D, D, GX_PAT_BW, 0, 1, 1, M, M, 4, OK, 20, 0},
    {"staged", D, D, GX_PAT_BW, 0, 2, 1, M, M, 4, OK, 21, 0},
    {"staged", D, D, GX_PAT_BW, 1, 0, 1, M, M, 4, OK, 22, 0},
    {"staged", D, D, GX_PAT_BW, 1, 2, 1, M, M, 4, OK, 23, 0},
    {"staged", D, D, GX_PAT_BW, 2, 0, 1, M, M, 4, OK, 24, 0},
    {"staged", D, D, GX_PAT_BW, 2, 1, 1, M, M, 4, OK, 25, 0},
    /* another destination memory kind: a matrix of its own */
    {"host", H, P, GX_PAT_BW, 0, 1, 1, 8, 0, 0, OK, 30, 0},
    {"host", H, P, GX_PAT_BW, 0, 2, 1, 8, 0, 0, OK, 31, 0},
    {"host", H, P, GX_PAT_BW, 1, 0, 1, 8, 0, 0, OK, 32, 0},
    {"host", H, P, GX_PAT_BW, 1, 2, 1, 8, 0, 0, OK, 33, 0},
    {"host", H, P, GX_PAT_BW, 2, 0, 1, 8, 0, 0, OK, 34, 0},
    {"host", H, P, GX_PAT_BW, 2, 1, 1, 8, 0, 0, OK, 35, 0},
};
#define NROWS GX_ARRAY_LEN(rows)

/* The matrices of these results before they were typed (read from the report's cJSON results). */
static const char *want_matrices =
    "[{\"path\":\"host\",\"pattern\":\"bw\",\"size\":8,\"unit\":\"GB/s\",\"mem\":{\"src\":\"p"
    "ageable\",\"dst\":\"pageable\"},\"ranks\":3,\"values\":[[null,1,2],[3,null,4],[5,6,null]"
    "]},{\"path\":\"host\",\"pattern\":\"latency\",\"size\":8,\"unit\":\"us\",\"mem\":{\"src"
    "\":\"pageable\",\"dst\":\"pageable\"},\"ranks\":3,\"values\":[[null,10,11],[12,null,13],"
    "[14,15,null]]},{\"path\":\"staged\",\"pattern\":\"bw\",\"size\":1048576,\"unit\":\"GB/s"
    "\",\"mem\":{\"src\":\"device\",\"dst\":\"device\"},\"chunk\":1048576,\"depth\":4,\"ranks"
    "\":3,\"values\":[[null,20,21],[22,null,23],[24,25,null]]},{\"path\":\"host\",\"pattern\""
    ":\"bw\",\"size\":8,\"unit\":\"GB/s\",\"mem\":{\"src\":\"pageable\",\"dst\":\"pinned\"},"
    "\"ranks\":3,\"values\":[[null,30,31],[32,null,33],[34,35,null]]}]";

/* The sink's copy: depth only where the path chunks, the median of a measured result, the
 * efficiency of a rated one. */
/* The matrices' view made of n results over nranks ranks. */
static int make(struct gx_matrix_set *s, const struct gx_kept *res, size_t n, int nranks)
{
    struct gx_layout l = {.nranks = nranks};
    const struct gx_run run = {.kept = res, .nkept = n, .layout = &l};
    struct gx_err err = {0};
    return gx_view_matrices.make(s, &run, &err);
}

static void check_kept_of(void)
{
    struct gx_result r = {
        .path = "staged", .path_kind = gx_path_lookup("staged"), .src_kind = GX_MEM_DEVICE,
        .dst_kind = GX_MEM_PINNED, .pattern_kind = GX_PAT_BIBW, .a = 2, .b = 1, .same_node = 1,
        .size = 4096, .chunk = 1024, .depth = 4, .state = GX_STATE_OK, .ceiling = 10,
        .efficiency = 0.5,
    };
    r.stats.median = 5;
    struct gx_kept k = gx_kept_of(&r);
    ok(k.path == gx_path_lookup("staged") && k.src_kind == GX_MEM_DEVICE &&
           k.dst_kind == GX_MEM_PINNED && k.pattern == GX_PAT_BIBW && k.a == 2 && k.b == 1 &&
           k.same_node && k.size == 4096 && k.chunk == 1024 && k.depth == 4 &&
           k.state == GX_STATE_OK && k.median == 5 && k.efficiency == 0.5,
       "kept: what the result says of itself");
    r.chunk = 0;
    r.ceiling = 0;
    k = gx_kept_of(&r);
    ok(k.depth == 0 && k.efficiency == 0 && k.median == 5,
       "kept: no depth where the path does not chunk, no efficiency without a ceiling");
    r.state = GX_STATE_FAILED;
    r.ceiling = 10;
    k = gx_kept_of(&r);
    ok(k.median == 0 && k.efficiency == 0 && k.state == GX_STATE_FAILED,
       "kept: a failed result has no median nor efficiency");
}

/* The matrices as the report has them: streamed into a document, read back. */
struct text {
    char *p;
    size_t len;
};

static int to_text(void *ctx, const char *buf, size_t len)
{
    struct text *t = ctx;
    char *p = realloc(t->p, t->len + len + 1);
    if (!p)
        return -1;
    memcpy(p + t->len, buf, len);
    t->p = p;
    t->len += len;
    p[t->len] = '\0';
    return 0;
}

static cJSON *streamed(struct gx_matrix_set *s)
{
    struct text t = {0};
    struct gx_jstream *w = calloc(1, sizeof *w);
    cJSON *doc = cJSON_CreateObject(), *m = NULL;
    cJSON_AddItemToObject(doc, "matrices", gx_stream_slot(0));
    if (w) {
        *w = (struct gx_jstream){.out = to_text, .out_ctx = &t, .fill = gx_matrices_fill, .fill_ctx = s};
        if (gx_stream_doc(w, doc) == 0) {
            cJSON *back = cJSON_Parse(t.p);
            m = cJSON_DetachItemFromObject(back, "matrices");
            cJSON_Delete(back);
        }
    }
    cJSON_Delete(doc);
    free(w);
    free(t.p);
    return m;
}

/* Every ordered pair of 200 ranks, in a scrambled order: one matrix, each cell its pair's. */
static void check_many_ranks(void)
{
    enum { N = 200 };
    size_t n = (size_t)N * (N - 1), k = 0;
    struct gx_kept *res = calloc(n, sizeof *res);
    for (int a = 0; a < N && res; a++)
        for (int b = 0; b < N; b++)
            if (a != b) {
                size_t at = (k++ * 7919) % n; /* 7919 is prime, n is not a multiple of it */
                res[at] = (struct gx_kept){.path = gx_path_lookup("host"), .pattern = GX_PAT_BW,
                                           .a = a, .b = b, .state = OK, .size = 8,
                                           .median = a * 1000.0 + b};
            }
    struct gx_matrix_set s;
    ok(res && make(&s, res, n, N) == GX_OK && s.nm == 1,
       "%d ranks, every pair in a scrambled order: one matrix", N);
    cJSON *m = streamed(&s), *rows = cJSON_GetObjectItem(cJSON_GetArrayItem(m, 0), "values");
    int right = cJSON_GetArraySize(rows) == N;
    for (int a = 0; a < N && right; a++)
        for (int b = 0; b < N && right; b++) {
            const cJSON *v = cJSON_GetArrayItem(cJSON_GetArrayItem(rows, a), b);
            right = a == b ? cJSON_IsNull(v) : cJSON_IsNumber(v) && v->valuedouble == a * 1000.0 + b;
        }
    ok(right, "each row written in its place, each cell its pair's median, null on the diagonal");
    cJSON_Delete(m);
    gx_matrices_free(&s);
    free(res);
}

/* Chunks picked per pair (the default): one matrix whatever each pair picked, named by how they
 * were picked; given chunks stay a matrix each (main's staged 1M/2 and 1M/4). */
static void check_chosen_chunks(void)
{
    static const struct kept_row picked[] = {
        {"staged", D, D, GX_PAT_BW, 0, 1, 1, M, M, 4, OK, 50, 0},
        {"staged", D, D, GX_PAT_BW, 0, 2, 1, M, M / 4, 2, OK, 51, 0},
        {"staged", D, D, GX_PAT_BW, 1, 0, 1, M, M, 2, OK, 52, 0},
        {"staged", D, D, GX_PAT_BW, 1, 2, 1, M, M / 2, 4, OK, 53, 0},
        {"staged", D, D, GX_PAT_BW, 2, 0, 1, M, M, 4, OK, 54, 0},
        {"staged", D, D, GX_PAT_BW, 2, 1, 1, M, M, 1, OK, 55, 0},
    };
    struct gx_kept res[GX_ARRAY_LEN(picked)];
    kept_from_rows(picked, GX_ARRAY_LEN(picked), res);
    for (size_t i = 0; i < GX_ARRAY_LEN(picked); i++)
        res[i].chunk_choice = GX_CHUNK_BEST;
    struct gx_matrix_set s;
    ok(make(&s, res, GX_ARRAY_LEN(picked), 3) == GX_OK && s.nm == 1,
       "chunks picked per pair, four different ones: one matrix");
    cJSON *m = streamed(&s);
    ok(prints_as(m, "[{\"path\":\"staged\",\"pattern\":\"bw\",\"size\":1048576,\"unit\":"
                    "\"GB/s\",\"mem\":{\"src\":\"device\",\"dst\":\"device\"},\"chunk_choice\":"
                    "\"default\",\"ranks\":3,\"values\":[[null,50,51],[52,null,53],[54,55,null]]}]"),
       "it says the chunks were picked per pair (chunk_choice), and names no chunk or depth");
    cJSON_Delete(m);
    gx_matrices_free(&s);
}

/* The map's outliers: a cell well below its siblings over the same kind of link at the same
 * line rate is marked, by the health finding's rule (line_health.c); a PCIe pair among NVLink
 * ones is not, however far below the matrix median. */
/* The view reads --slow-pair and the context (none here) from the finished run. */
static struct gx_options slow_opts = {.g = {.slow_pair = 0.8}};
static const struct gx_run run = {.opts = &slow_opts};

static void check_marks(void)
{
    enum { N = 4 };
    static const struct { int a, b, kind; double line, median; } cells[] = {
        {0, 1, GX_LINK_NVLINK, 450, 400}, {0, 2, GX_LINK_NVLINK, 450, 401},
        {1, 0, GX_LINK_NVLINK, 450, 399}, {1, 2, GX_LINK_NVLINK, 450, 400},
        {2, 0, GX_LINK_NVLINK, 450, 402}, {2, 1, GX_LINK_NVLINK, 450, 398},
        {1, 3, GX_LINK_NVLINK, 450, 200}, {3, 1, GX_LINK_NVLINK, 450, 400},
        {0, 3, GX_LINK_PCIE, 63, 50}, {3, 0, GX_LINK_PCIE, 63, 50},
        {2, 3, GX_LINK_PCIE, 63, 51}, {3, 2, GX_LINK_PCIE, 63, 30},
    };
    struct gx_kept res[GX_ARRAY_LEN(cells)];
    for (size_t i = 0; i < GX_ARRAY_LEN(cells); i++)
        res[i] = (struct gx_kept){.path = gx_path_lookup("p2p"), .src_kind = D, .dst_kind = D,
                                  .pattern = GX_PAT_BW, .a = cells[i].a, .b = cells[i].b,
                                  .same_node = 1, .state = OK, .size = 64 * M, .chunk = 64 * M,
                                  .depth = 1, .chunk_choice = GX_CHUNK_GIVEN,
                                  .median = cells[i].median, .line_kind = cells[i].kind,
                                  .line_gbs = cells[i].line, .line_share = cells[i].median /
                                                                           cells[i].line};
    struct gx_matrix_set s;
    ok(make(&s, res, GX_ARRAY_LEN(cells), N) == GX_OK && s.nm == 1,
       "the map of 4 GPUs: one matrix");
    char *text = NULL, *bare = NULL;
    size_t len = 0, blen = 0;
    FILE *f = open_memstream(&text, &len);
    if (f) {
        gx_view_matrices.print(f, &s, &run);
        fclose(f);
    }
    int marked = text && strstr(text, "\n      1   399.000         -   400.000  200.000<\n") &&
                 strstr(text, "\n      3    50.000   400.000   30.000<         -\n");
    ok(marked,
       "the NVLink pair at half its siblings and the PCIe pair at 0.6 of its siblings marked");
    ok(text && !strstr(text, "50.000<") && !strstr(text, "51.000<"),
       "the other PCIe pairs, under 0.8 x the matrix median, not marked (their siblings are PCIe)");
    ok(text && strstr(text, "\n# <: well below its siblings (under 0.8 x the median of the other "
                            "pairs over the same kind of link at the same line rate"),
       "a line says what the mark means");
    cJSON *m = streamed(&s);
    ok(prints_as(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 0), "below_siblings"),
                 "[[1,3],[3,2]]"),
       "the report's matrix lists the marked pairs (below_siblings)");
    cJSON_Delete(m);
    gx_matrices_free(&s);

    /* The NVLink pair's median disturbed by the machine (a rank waited for a CPU): ~, not <; in
     * the report's disturbed, not below_siblings; its SLOW line says ~ too. */
    res[6].noise = GX_NOISE_WAITED;
    char *noisy = NULL;
    size_t nlen = 0;
    ok(make(&s, res, GX_ARRAY_LEN(cells), N) == GX_OK && s.nm == 1 &&
           (f = open_memstream(&noisy, &nlen)) != NULL,
       "the map with 1->3 disturbed");
    if (f) {
        gx_view_matrices.print(f, &s, &run);
        fclose(f);
    }
    m = streamed(&s);
    ok(noisy && strstr(noisy, "\n      1   399.000         -   400.000  200.000~\n") &&
           strstr(noisy, "\n# ~: the machine disturbed this median") &&
           strstr(noisy, "\n#   SLOW 1->3 200.000~ GB/s") && strstr(noisy, "\n#   SLOW 3->2 30.000 GB/s") &&
           prints_as(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 0), "disturbed"), "[[1,3]]") &&
           prints_as(cJSON_GetObjectItem(cJSON_GetArrayItem(m, 0), "below_siblings"), "[[3,2]]"),
       "a disturbed cell: ~ in the matrix and its SLOW line, in disturbed, not below_siblings");
    if (noisy && !strstr(noisy, "200.000~"))
        printf("# %s", noisy);
    free(noisy);
    cJSON_Delete(m);
    gx_matrices_free(&s);
    res[6].noise = 0;
    for (size_t i = 0; i < GX_ARRAY_LEN(cells); i++)
        res[i].line_gbs = 0, res[i].line_kind = -1;
    ok(make(&s, res, GX_ARRAY_LEN(cells), N) == GX_OK && s.nm == 1 &&
           (f = open_memstream(&bare, &blen)) != NULL,
       "the same map without line rates");
    if (f) {
        gx_view_matrices.print(f, &s, &run);
        fclose(f);
    }
    m = streamed(&s);
    ok(bare && !strchr(bare, '<') &&
           !cJSON_GetObjectItem(cJSON_GetArrayItem(m, 0), "below_siblings"),
       "without line rates (no link kind to compare within): no marks, no below_siblings");
    cJSON_Delete(m);
    if (text && !marked)
        printf("# %s", text);
    free(text);
    free(bare);
    gx_matrices_free(&s);
}

int main(void)
{
    struct gx_kept res[NROWS];
    ok(kept_from_rows(rows, NROWS, res) == 0, "constructed results name known paths");
    struct gx_matrix_set s;
    ok(make(&s, res, NROWS, 3) == GX_OK && s.nm == 4,
       "4 matrices: host bw and latency, staged 1M/4, host pageable>pinned");
    cJSON *m = streamed(&s);
    ok(prints_as(m, want_matrices), "the matrices, written row by row, as the ones read from "
       "cJSON results");
    cJSON_Delete(m);
    gx_matrices_free(&s);
    ok(make(&s, res, NROWS, 4) == GX_OK && s.nm == 0,
       "4 ranks: no result set covers every pair");
    gx_matrices_free(&s);
    ok(make(&s, res, NROWS, 1) == GX_OK && s.nm == 0, "one rank: no pairs");
    ok(make(&s, NULL, 0, 3) == GX_OK && s.nm == 0, "no results: no matrices");
    check_kept_of();
    check_chosen_chunks();
    check_many_ranks();
    check_marks();
    return tap_done();
}
