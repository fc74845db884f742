#include "plan.h"

#include "json_util.h"
#include "mem.h"
#include "sizes.h"

#include <stdlib.h>
#include <string.h>

/* One way of moving data (path, memory kinds, chunk, depth) at the size a plan row compares. */
struct plan_way {
    const cJSON *first;   /* a result of it, for its names */
    double gbps_sum, eff_sum;
    int n, neff;
};

static int rank_at(const cJSON *ranks, int i)
{
    const cJSON *r = cJSON_GetArrayItem(ranks, i);
    return cJSON_IsNumber(r) ? (int)r->valuedouble : -1;
}

/* The pair types, in the order the plan lists them. */
enum { PT_NVLINK, PT_PCIE, PT_NODE, PT_SAME_GPU, PT_OTHER, PT_COUNT };
static const char *const pair_type_names[PT_COUNT] = {
    [PT_NVLINK] = "same node, NVLink", [PT_PCIE] = "same node, PCIe", [PT_NODE] = "same node",
    [PT_SAME_GPU] = "same node, same GPU", [PT_OTHER] = "other node",
};

static int pair_type(const cJSON *res, const cJSON *pairs)
{
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "same_node")))
        return PT_OTHER;
    const cJSON *rr = cJSON_GetObjectItemCaseSensitive(res, "ranks"), *p;
    cJSON_ArrayForEach(p, pairs)
    {
        const cJSON *pr = cJSON_GetObjectItemCaseSensitive(p, "ranks");
        if (rank_at(pr, 0) != rank_at(rr, 0) || rank_at(pr, 1) != rank_at(rr, 1))
            continue;
        const char *link = gx_json_str(p, "link");
        if (strncmp(link, "NV", 2) == 0)
            return PT_NVLINK;
        if (strcmp(link, "X") == 0)
            return PT_SAME_GPU;
        if (link[0] && strcmp(link, "?") != 0)
            return PT_PCIE;
        break;
    }
    return PT_NODE;
}

/* Where a result's message starts and ends. Moving host memory answers another question than
 * moving GPU memory (it leaves out the copies to and from the GPUs), so they never compete. */
enum { DATA_GPU, DATA_HOST, DATA_MIXED, DATA_COUNT };
static const char *const data_names[DATA_COUNT] = {
    [DATA_GPU] = "gpu", [DATA_HOST] = "host", [DATA_MIXED] = "mixed",
};

static int data_of(const cJSON *r)
{
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(r, "mem");
    int src = gx_mem_on_gpu(gx_mem_lookup(gx_json_str(mem, "src")));
    int dst = gx_mem_on_gpu(gx_mem_lookup(gx_json_str(mem, "dst")));
    return src && dst ? DATA_GPU : !src && !dst ? DATA_HOST : DATA_MIXED;
}

static int usable(const cJSON *r)
{
    return strcmp(gx_json_str(r, "pattern"), "bw") == 0 &&
           strcmp(gx_json_str(r, "status"), "ok") == 0 &&
           cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r, "stats"));
}

static double median(const cJSON *r)
{
    return gx_json_num(cJSON_GetObjectItemCaseSensitive(r, "stats"), "median");
}

static cJSON *way_json(const struct plan_way *w)
{
    const cJSON *r = w->first, *mem = cJSON_GetObjectItemCaseSensitive(r, "mem");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", gx_json_str(r, "path"));
    cJSON *m = cJSON_AddObjectToObject(o, "mem");
    cJSON_AddStringToObject(m, "src", gx_json_str(mem, "src"));
    cJSON_AddStringToObject(m, "dst", gx_json_str(mem, "dst"));
    if (gx_json_num(r, "chunk") > 0) {
        cJSON_AddNumberToObject(o, "chunk", gx_json_num(r, "chunk"));
        cJSON_AddNumberToObject(o, "depth", gx_json_num(r, "depth"));
    }
    cJSON_AddNumberToObject(o, "gbps", w->gbps_sum / w->n);
    if (w->neff)
        cJSON_AddNumberToObject(o, "efficiency", w->eff_sum / w->neff);
    else
        cJSON_AddNullToObject(o, "efficiency");
    cJSON_AddNumberToObject(o, "pairs", w->n);
    return o;
}

static int by_gbps_desc(const void *x, const void *y)
{
    const struct plan_way *a = x, *b = y;
    double ga = a->gbps_sum / a->n, gb = b->gbps_sum / b->n;
    return ga < gb ? 1 : ga > gb ? -1 : 0;
}

/* One row: the ways measured at the class's largest size for this pair type and data location
 * (group = type * DATA_COUNT + data), averaged over the pairs; the best of each path competes
 * (the runner-up is another path, not another chunk). */
static cJSON *plan_row(const cJSON *results, const int *group_of, int group, int cls,
                       struct plan_way *ways, int cap)
{
    double size = 0;
    const cJSON *r;
    int k = 0;
    cJSON_ArrayForEach(r, results)
    {
        if (group_of[k++] == group && (int)gx_size_class((size_t)gx_json_num(r, "size")) == cls &&
            gx_json_num(r, "size") > size)
            size = gx_json_num(r, "size");
    }
    if (size == 0)
        return NULL;
    int n = 0;
    k = 0;
    cJSON_ArrayForEach(r, results)
    {
        if (group_of[k++] != group || gx_json_num(r, "size") != size)
            continue;
        int i = 0;
        while (i < n && !gx_json_same_config(ways[i].first, r))
            i++;
        if (i == n) {
            if (n == cap)
                continue;
            ways[n++] = (struct plan_way){.first = r};
        }
        ways[i].gbps_sum += median(r);
        ways[i].n++;
        if (gx_json_num(r, "efficiency") > 0) {
            ways[i].eff_sum += gx_json_num(r, "efficiency");
            ways[i].neff++;
        }
    }
    qsort(ways, (size_t)n, sizeof *ways, by_gbps_desc);
    cJSON *row = cJSON_CreateObject();
    cJSON_AddStringToObject(row, "pair_type", pair_type_names[group / DATA_COUNT]);
    cJSON_AddStringToObject(row, "data", data_names[group % DATA_COUNT]);
    cJSON_AddStringToObject(row, "size_class", gx_size_class_name((enum gx_size_class)cls));
    cJSON_AddNumberToObject(row, "size", size);
    cJSON_AddItemToObject(row, "best", way_json(&ways[0]));
    for (int i = 1; i < n; i++)
        if (strcmp(gx_json_str(ways[i].first, "path"), gx_json_str(ways[0].first, "path")) != 0) {
            cJSON_AddItemToObject(row, "runner_up", way_json(&ways[i]));
            break;
        }
    if (!cJSON_GetObjectItemCaseSensitive(row, "runner_up"))
        cJSON_AddNullToObject(row, "runner_up");
    return row;
}

cJSON *gx_plan(const cJSON *results, const cJSON *pairs)
{
    int cap = cJSON_GetArraySize(results) + 1;
    struct plan_way *ways = calloc((size_t)cap, sizeof *ways);
    /* Each result's row group, looked up once (-1: not usable in any row). */
    int *group_of = calloc((size_t)cap, sizeof *group_of);
    cJSON *plan = cJSON_CreateArray();
    if (!ways || !group_of || !plan) {
        free(ways);
        free(group_of);
        cJSON_Delete(plan);
        return NULL;
    }
    const cJSON *r;
    int k = 0;
    cJSON_ArrayForEach(r, results)
    {
        group_of[k++] = usable(r) ? pair_type(r, pairs) * DATA_COUNT + data_of(r) : -1;
    }
    for (int g = 0; g < PT_COUNT * DATA_COUNT; g++)
        for (int c = 0; c < GX_CLASS_COUNT; c++) {
            cJSON *row = plan_row(results, group_of, g, c, ways, cap);
            if (row)
                cJSON_AddItemToArray(plan, row);
        }
    free(group_of);
    free(ways);
    return plan;
}

static void way_text(const cJSON *w, char *buf, size_t len)
{
    char chunk[32] = "", eff[16] = "-";
    if (gx_json_num(w, "chunk") > 0) {
        char c[24];
        gx_format_size((size_t)gx_json_num(w, "chunk"), c, sizeof c);
        snprintf(chunk, sizeof chunk, " %s/%d", c, (int)gx_json_num(w, "depth"));
    }
    if (gx_json_num(w, "efficiency") > 0)
        snprintf(eff, sizeof eff, "%.0f%%", 100 * gx_json_num(w, "efficiency"));
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(w, "mem");
    snprintf(buf, len, "%-28s %9.2f %5s", "", gx_json_num(w, "gbps"), eff);
    char name[64];
    snprintf(name, sizeof name, "%s %s>%s%s", gx_json_str(w, "path"), gx_json_str(mem, "src"),
             gx_json_str(mem, "dst"), chunk);
    memcpy(buf, name, strlen(name) < 28 ? strlen(name) : 28);
}

void gx_plan_print(FILE *out, const cJSON *plan)
{
    if (!cJSON_GetArraySize(plan))
        return;
    fprintf(out, "\n# transfer plan: the fastest path per pair type, data location (both ends in "
                 "GPU memory, host memory, or mixed) and size class (bw at the class's largest "
                 "measured size; chunk/depth where the path chunks)\n");
    fprintf(out, "# %-18s %-5s %-7s %8s  %-28s %9s %5s  %-28s %9s %5s\n", "pair type", "data",
            "class", "size", "best", "GB/s", "eff", "runner-up", "GB/s", "eff");
    const cJSON *row;
    cJSON_ArrayForEach(row, plan)
    {
        char size[24], best[64], second[64] = "-";
        gx_format_size((size_t)gx_json_num(row, "size"), size, sizeof size);
        way_text(cJSON_GetObjectItemCaseSensitive(row, "best"), best, sizeof best);
        const cJSON *ru = cJSON_GetObjectItemCaseSensitive(row, "runner_up");
        if (cJSON_IsObject(ru))
            way_text(ru, second, sizeof second);
        fprintf(out, "  %-18s %-5s %-7s %8s  %s  %s\n", gx_json_str(row, "pair_type"),
                gx_json_str(row, "data"), gx_json_str(row, "size_class"), size, best, second);
    }
}
