/* The report's "summary": per (path, memory kinds, pattern, run name, size class) how many
 * results and the spread of their medians. Nothing merges memory kinds or runs: pinned host
 * memory and device buffers of one path are separate rows, and so are two runs of a path. */
#include "config.h"
#include "report.h"

#include "json_util.h"

#include <math.h>
#include <string.h>

/* The keys a summary row shares with each result it counts. */
struct group {
    const char *cls, *path, *src, *dst, *pat, *run;
};

/* A result keeps its memory kinds in "mem" as src/dst, a row as src_mem/dst_mem. */
static struct group group_of(const cJSON *o, const cJSON *mem, const char *src, const char *dst)
{
    return (struct group){gx_json_str(o, "size_class"), gx_json_str(o, "path"),
                          gx_json_str(mem, src), gx_json_str(mem, dst),
                          gx_json_str(o, "pattern"), gx_json_str(o, "run")};
}

static int same_group(const struct group *a, const struct group *b)
{
    return !strcmp(a->cls, b->cls) && !strcmp(a->path, b->path) && !strcmp(a->src, b->src) &&
           !strcmp(a->dst, b->dst) && !strcmp(a->pat, b->pat) && !strcmp(a->run, b->run);
}

static cJSON *new_row(const struct group *g, const char *unit, double med)
{
    cJSON *row = cJSON_CreateObject();
    if (!row)
        return NULL;
    cJSON_AddStringToObject(row, "size_class", g->cls);
    cJSON_AddStringToObject(row, "path", g->path);
    cJSON_AddStringToObject(row, "src_mem", g->src);
    cJSON_AddStringToObject(row, "dst_mem", g->dst);
    cJSON_AddStringToObject(row, "pattern", g->pat);
    if (g->run[0])
        cJSON_AddStringToObject(row, "run", g->run);
    cJSON_AddStringToObject(row, "unit", unit);
    cJSON_AddNumberToObject(row, "results", 0);
    cJSON_AddNumberToObject(row, "median_min", med);
    cJSON_AddNumberToObject(row, "median_max", med);
    cJSON_AddNumberToObject(row, "median_mean", 0);
    return row;
}

int gx_summary_add(cJSON *summary, const cJSON *r)
{
    if (strcmp(gx_json_str(r, "status"), "ok") != 0)
        return 0;
    struct group g = group_of(r, cJSON_GetObjectItemCaseSensitive(r, "mem"), "src", "dst");
    double med = gx_json_num(cJSON_GetObjectItemCaseSensitive(r, "stats"), "median");
    cJSON *row = NULL, *it;
    /* The rows are few (they do not grow with the ranks nor the sizes of a class). */
    cJSON_ArrayForEach(it, summary) {
        struct group h = group_of(it, it, "src_mem", "dst_mem");
        if (same_group(&g, &h)) {
            row = it;
            break;
        }
    }
    if (!row) {
        row = new_row(&g, gx_json_str(r, "unit"), med);
        if (!row || !cJSON_AddItemToArray(summary, row)) {
            cJSON_Delete(row);
            return -1;
        }
    }
    cJSON *n = cJSON_GetObjectItem(row, "results"), *lo = cJSON_GetObjectItem(row, "median_min"),
          *hi = cJSON_GetObjectItem(row, "median_max"),
          *mean = cJSON_GetObjectItem(row, "median_mean");
    if (!n || !lo || !hi || !mean)
        return -1;
    double k = n->valuedouble + 1;
    cJSON_SetNumberValue(n, k);
    cJSON_SetNumberValue(lo, fmin(lo->valuedouble, med));
    cJSON_SetNumberValue(hi, fmax(hi->valuedouble, med));
    cJSON_SetNumberValue(mean, mean->valuedouble + (med - mean->valuedouble) / k);
    return 0;
}
