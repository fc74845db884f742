/* Rank 0's report with N results, through the report's own API: the time to add them (each a
 * .jsonl line) and to write the report, and the cJSON bytes the report holds once they are
 * added (the heap in use, glibc's mallinfo2). report-write-bench.sh builds it against
 * this tree's report code and against ea798bb's (which held every result's cJSON and printed
 * the document whole) and runs both. */
#include "report.h"

#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Bytes of the heap in use (glibc): what the report holds once the results are added. */
static size_t heap_used(void)
{
    return mallinfo2().uordblks;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 30000;
    const char *path = argc > 2 ? argv[2] : "/tmp/gx-report-write-bench.json";
    char *args[] = {"gpuxfer"};
    struct gx_report rep;
    struct gx_err err = {0};
    if (gx_report_open(&rep, path, 1, args, &err) != GX_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    struct gx_result r = {
        .path = "host", .src_mem = "pageable", .dst_mem = "pageable", .pattern = "bw",
        .unit = "GB/s", .same_node = 1, .size = 65536, .iters = 5, .warmup = 1, .window = 64,
        .state = GX_STATE_OK, .validated = 2, .valid = 1, .bad_offset = -1, .ceiling = 10,
        .ceiling_what = "MPI host bw at 64K", .efficiency = 0.5,
    };
    double s[] = {1.1, 2.2, 3.3, 4.4, 5.5};
    gx_stats_compute(s, 5, &r.stats);
    size_t before = heap_used();
    double t0 = now();
    for (int i = 0; i < n; i++) {
        r.a = i % 10000;
        r.b = (i + 1) % 10000;
        if (gx_report_add(&rep, &r, &err) != GX_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
    }
    double t1 = now();
    size_t held = heap_used() - before;
    if (gx_report_write(&rep, "complete", 0, &err) != GX_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("%d results: add %.3f s, report write %.3f s, heap held %.0f bytes a result\n", n,
           t1 - t0, now() - t1, (double)held / n);
    gx_report_close(&rep);
    unlink(path);
    char lines[4200];
    snprintf(lines, sizeof lines, "%s.jsonl", path);
    unlink(lines);
    return 0;
}
