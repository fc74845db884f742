/* The chunk/depth search of gx_measure_best (gx_chunk_search) replayed over reports of the
 * exhaustive search: each result with auto_candidates holds every candidate's quick median (and,
 * since schema 2.4, its 95% interval; a point before), so the search can be run again with
 * those standing in for measurements. Prints, per
 * result, the exhaustive best, the search's, their ratio and how many candidates it tried.
 * --tie T replays with T as the precision asked (gpuxfer passes --precision, 1% by default).
 * Build from the top of a configured, built tree:
 *   gcc -O2 -Isrc/base bench/chunk-search-replay.c src/libgx.a -lcjson -lm -o /tmp/replay
 *   /tmp/replay [--tie T] REPORT.json...                                                    */
#include "chunk.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int replay(int i, void *ctx, struct gx_cand_result *m, struct gx_err *err)
{
    (void)err;
    *m = ((const struct gx_cand_result *)ctx)[i];
    return GX_OK;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n)
        buf[n] = '\0';
    else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    int worst_rc = 0, first = 1;
    double tie = 0;
    if (argc > 2 && strcmp(argv[1], "--tie") == 0) {
        tie = atof(argv[2]);
        first = 3;
    }
    printf("# %-62s %-17s %10s %14s %10s %14s %10s %7s %6s %6s\n", "report", "path", "size",
           "exhaustive", "GB/s|us", "search", "GB/s|us", "ratio", "tried", "time");
    for (int a = first; a < argc; a++) {
        char *text = slurp(argv[a]);
        cJSON *doc = text ? cJSON_Parse(text) : NULL;
        free(text);
        if (!doc) {
            fprintf(stderr, "%s: not a readable JSON report\n", argv[a]);
            worst_rc = 2;
            continue;
        }
        const char *name = argv[a];
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "results")) {
            const cJSON *cands = cJSON_GetObjectItemCaseSensitive(r, "auto_candidates");
            int n = cJSON_GetArraySize(cands);
            if (n < 2 || n > GX_AUTO_MAX_CANDIDATES)
                continue;
            size_t chunks[GX_AUTO_MAX_CANDIDATES];
            int depths[GX_AUTO_MAX_CANDIDATES], order[GX_AUTO_MAX_CANDIDATES], best, ex = 0;
            struct gx_cand_result meas[GX_AUTO_MAX_CANDIDATES];
            int lower = strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "unit")),
                               "us") == 0;
            for (int i = 0; i < n; i++) {
                const cJSON *c = cJSON_GetArrayItem(cands, i);
                chunks[i] = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "chunk"));
                depths[i] = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "depth"));
                double med = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "median"));
                const cJSON *ci = cJSON_GetObjectItemCaseSensitive(c, "median_ci95");
                meas[i] = (struct gx_cand_result){med, med, med};
                if (cJSON_GetArraySize(ci) == 2) {
                    meas[i].lo = cJSON_GetNumberValue(cJSON_GetArrayItem(ci, 0));
                    meas[i].hi = cJSON_GetNumberValue(cJSON_GetArrayItem(ci, 1));
                }
                if (lower ? meas[i].median < meas[ex].median : meas[i].median > meas[ex].median)
                    ex = i;
            }
            struct gx_err err = {0};
            int tried = gx_chunk_search(chunks, n, lower, tie, replay, meas, &best, order, &err);
            double ex_m = meas[ex].median, best_m = meas[best].median;
            double ratio = lower ? ex_m / best_m : best_m / ex_m;
            /* A candidate's quick measurement lasts as long as its median says (a bandwidth's
             * time is 1 / GB/s for the same bytes): the share of the exhaustive search's time
             * the search spent. */
            double all_t = 0, tried_t = 0;
            for (int i = 0; i < n; i++)
                all_t += lower ? meas[i].median : 1 / meas[i].median;
            for (int i = 0; i < tried; i++)
                tried_t += lower ? meas[order[i]].median : 1 / meas[order[i]].median;
            char exs[40], ses[40];
            snprintf(exs, sizeof exs, "%zu/%d", chunks[ex], depths[ex]);
            snprintf(ses, sizeof ses, "%zu/%d", chunks[best], depths[best]);
            printf("%-64s %-17s %10.0f %14s %10.3f %14s %10.3f %7.4f %3d/%-2d %5.0f%%\n", name,
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "path")),
                   cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "size")), exs,
                   ex_m, ses, best_m, ratio, tried, n, 100 * tried_t / all_t);
        }
        cJSON_Delete(doc);
    }
    return worst_rc;
}
