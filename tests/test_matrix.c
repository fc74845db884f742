/* Pair matrices from constructed typed results: one per (path, memory kinds, chunk/depth,
 * pattern, size) that covers every ordered pair, in the order the results first name it, as
 * the JSON-reading matrices made them for the same results; and what the sink keeps of a
 * result. */
#include "matrix.h"
#include "tap.h"

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

int main(void)
{
    struct gx_kept res[NROWS];
    ok(kept_from_rows(rows, NROWS, res) == 0, "constructed results name known paths");
    const char *oom = "unset";
    cJSON *m = gx_matrices(res, NROWS, 3, &oom);
    ok(m && !oom && cJSON_GetArraySize(m) == 4,
       "4 matrices: host bw and latency, staged 1M/4, host pageable>pinned");
    ok(prints_as(m, want_matrices), "the matrices as the ones read from cJSON results");
    cJSON_Delete(m);
    m = gx_matrices(res, NROWS, 4, &oom);
    ok(!m && !oom, "4 ranks: no result set covers every pair");
    m = gx_matrices(res, NROWS, 1, &oom);
    ok(!m && !oom, "one rank: no pairs");
    m = gx_matrices(NULL, 0, 3, &oom);
    ok(!m && !oom, "no results: no matrices");
    check_kept_of();
    return tap_done();
}
