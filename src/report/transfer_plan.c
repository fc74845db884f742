#include "kept.h"
#include "view.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "sizes.h"
#include "wrap.h"

#include <stdlib.h>
#include <string.h>

/* In the order the transfer plan lists them; a collective's group is of one node or of several
 * (its first and last rank's). */
enum { PT_NVLINK, PT_PCIE, PT_NODE, PT_SAME_GPU, PT_OTHER, PT_GROUP_NODE, PT_GROUP_NODES,
       PT_COUNT };
static const char *const pair_type_names[PT_COUNT] = {
    [PT_NVLINK] = "same node, NVLink", [PT_PCIE] = "same node, PCIe", [PT_NODE] = "same node",
    [PT_SAME_GPU] = "same node, same GPU", [PT_OTHER] = "other node",
    [PT_GROUP_NODE] = "group, one node", [PT_GROUP_NODES] = "group, several nodes",
};

int gx_pair_links(const struct gx_context *c, struct gx_pair_link **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!c || c->npairs == 0)
        return GX_OK;
    struct gx_pair_link *l = calloc((size_t)c->npairs, sizeof *l);
    if (!l)
        return GX_ERUNTIME;
    for (int i = 0; i < c->npairs; i++) {
        struct gx_ctx_pair_view v;
        gx_ctx_pair_view(c, c->pairs[i].a, c->pairs[i].b, &v);
        l[i].a = c->pairs[i].a;
        l[i].b = c->pairs[i].b;
        snprintf(l[i].link, sizeof l[i].link, "%s", v.same_node && v.link ? v.link : "");
    }
    *n = (size_t)c->npairs;
    *out = l;
    return GX_OK;
}

static int pair_type(const struct gx_kept *res, const struct gx_pair_link *links, size_t nlinks)
{
    if (gx_kept_collective(res))
        return res->same_node ? PT_GROUP_NODE : PT_GROUP_NODES;
    if (!res->same_node)
        return PT_OTHER;
    for (size_t i = 0; i < nlinks; i++) {
        if (links[i].a != res->a || links[i].b != res->b)
            continue;
        const char *link = links[i].link;
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

static const char *const data_names[GX_DATA_COUNT] = {
    [GX_DATA_GPU] = "gpu", [GX_DATA_HOST] = "host", [GX_DATA_MIXED] = "mixed",
};

/* The transfer plan answers for bw between pairs and for each collective of a group. */
static int by_gbps_desc(const void *x, const void *y)
{
    const struct gx_transfer_plan_way *a = x, *b = y;
    double ga = a->gbps_sum / a->n, gb = b->gbps_sum / b->n;
    return ga < gb ? 1 : ga > gb ? -1 : 0;
}

/* The ways measured at `size` in the group (at most cap of them); their number. */
static int row_ways(const struct gx_kept *res, size_t nres, const int *group_of, int group,
                    size_t size, struct gx_transfer_plan_way *ways, int cap)
{
    int n = 0;
    for (size_t k = 0; k < nres; k++) {
        const struct gx_kept *r = &res[k];
        if (group_of[k] != group || r->size != size)
            continue;
        int i = 0;
        while (i < n && !gx_kept_same_way(ways[i].first, r))
            i++;
        if (i == n) {
            if (n == cap)
                continue;
            ways[n++] = (struct gx_transfer_plan_way){.first = r};
        }
        ways[i].gbps_sum += r->median;
        ways[i].n++;
        if (r->efficiency > 0) {
            ways[i].eff_sum += r->efficiency;
            ways[i].neff++;
        }
        if (r->line_gbs > 0) {
            ways[i].line_sum += r->line_share;
            ways[i].nline++;
        }
        ways[i].exceeded += r->exceeded;
        ways[i].within += r->within;
        ways[i].unsound += r->unsound;
        ways[i].noisy += r->noise != 0;
    }
    return n;
}

/* A row's group: its pair type, data location and pattern. */
static int group_key(int type, int data, int pattern)
{
    return (type * GX_DATA_COUNT + data) * gx_pattern_count + pattern;
}

/* One row at the class's largest size: the runner-up is another path, not another chunk. 0 when
 * nothing of the class was measured. */
static int make_row(const struct gx_kept *res, size_t nres, const int *group_of, int group,
                    int cls, struct gx_transfer_plan_way *ways, int cap,
                    struct gx_transfer_plan_row *row)
{
    size_t size = 0;
    for (size_t k = 0; k < nres; k++)
        if (group_of[k] == group && (int)gx_size_class(res[k].size) == cls && res[k].size > size)
            size = res[k].size;
    if (size == 0)
        return 0;
    int n = row_ways(res, nres, group_of, group, size, ways, cap);
    qsort(ways, (size_t)n, sizeof *ways, by_gbps_desc);
    *row = (struct gx_transfer_plan_row){.pair_type = group / gx_pattern_count / GX_DATA_COUNT,
                                         .data = group / gx_pattern_count % GX_DATA_COUNT,
                                         .pattern = group % gx_pattern_count, .size_class = cls,
                                         .size = size, .best = ways[0]};
    for (int i = 1; i < n; i++)
        if (ways[i].first->path != ways[0].first->path) {
            row->runner_up = ways[i];
            break;
        }
    return 1;
}

int gx_transfer_plan_make(struct gx_transfer_plan *p, const struct gx_kept *res, size_t nres,
                          const struct gx_pair_link *links, size_t nlinks)
{
    *p = (struct gx_transfer_plan){0};
    size_t cap = nres + 1;
    struct gx_transfer_plan_way *ways = calloc(cap, sizeof *ways);
    /* Each result's row group, looked up once (-1: none). */
    int *group_of = calloc(cap, sizeof *group_of);
    int groups = PT_COUNT * GX_DATA_COUNT * gx_pattern_count;
    p->rows = calloc((size_t)groups * GX_CLASS_COUNT, sizeof *p->rows);
    /* The groups some result is in: each row reads every result, the others are skipped. */
    char *used = calloc((size_t)groups, 1);
    if (!ways || !group_of || !p->rows || !used) {
        free(ways);
        free(group_of);
        free(used);
        gx_transfer_plan_free(p);
        return GX_ERUNTIME;
    }
    for (size_t k = 0; k < nres; k++)
        group_of[k] = (res[k].pattern == GX_PAT_BW || gx_kept_collective(&res[k])) &&
                              res[k].state == GX_STATE_OK
                          ? group_key(pair_type(&res[k], links, nlinks),
                                      (int)gx_kept_data(&res[k]), res[k].pattern)
                          : -1;
    for (size_t k = 0; k < nres; k++)
        if (group_of[k] >= 0)
            used[group_of[k]] = 1;
    /* Pairs' rows first, then each collective's (in the pattern table's order) by data. */
    for (int t = 0; t < PT_COUNT; t++)
        for (int pat = 0; pat < gx_pattern_count; pat++)
            for (int d = 0; d < GX_DATA_COUNT; d++) {
                int g = group_key(t, d, pat);
                for (int c = 0; used[g] && c < GX_CLASS_COUNT; c++)
                    p->n += (size_t)make_row(res, nres, group_of, g, c, ways, (int)cap,
                                             &p->rows[p->n]);
            }
    free(used);
    free(group_of);
    free(ways);
    return GX_OK;
}

void gx_transfer_plan_free(void *state)
{
    struct gx_transfer_plan *p = state;
    free(p->rows);
    *p = (struct gx_transfer_plan){0};
}

static cJSON *way_json(const struct gx_transfer_plan_way *w)
{
    const struct gx_kept *r = w->first;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", gx_paths[r->path].name);
    gx_kept_add_mem(o, r);
    if (r->chunk > 0) {
        cJSON_AddNumberToObject(o, "chunk", (double)r->chunk);
        cJSON_AddNumberToObject(o, "depth", r->depth);
    }
    cJSON_AddNumberToObject(o, "gbps", w->gbps_sum / w->n);
    cJSON_AddItemToObject(o, "efficiency", w->neff ? cJSON_CreateNumber(w->eff_sum / w->neff)
                                                   : cJSON_CreateNull());
    if (w->nline)
        cJSON_AddNumberToObject(o, "line_share", w->line_sum / w->nline);
    cJSON_AddNumberToObject(o, "pairs", w->n);
    /* The marks travel with the mean: a mean over pairs must not hide one pair's. */
    if (w->exceeded)
        cJSON_AddNumberToObject(o, "ceiling_exceeded", w->exceeded);
    if (w->within)
        cJSON_AddNumberToObject(o, "ceiling_within", w->within);
    if (w->unsound)
        cJSON_AddNumberToObject(o, "ceiling_unsound", w->unsound);
    if (w->noisy)
        cJSON_AddNumberToObject(o, "noisy", w->noisy);
    return o;
}

static cJSON *view_json(const void *state, const struct gx_run *run)
{
    (void)run;
    const struct gx_transfer_plan *p = state;
    cJSON *rows = cJSON_CreateArray();
    for (size_t i = 0; rows && i < p->n; i++) {
        const struct gx_transfer_plan_row *r = &p->rows[i];
        cJSON *row = gx_json_append_object(rows);
        if (!row) {
            cJSON_Delete(rows);
            return NULL;
        }
        cJSON_AddStringToObject(row, "pair_type", pair_type_names[r->pair_type]);
        if (r->pair_type >= PT_GROUP_NODE)
            cJSON_AddStringToObject(row, "pattern", gx_pattern_table[r->pattern]->name);
        cJSON_AddStringToObject(row, "data", data_names[r->data]);
        cJSON_AddStringToObject(row, "size_class",
                                gx_size_class_name((enum gx_size_class)r->size_class));
        cJSON_AddNumberToObject(row, "size", (double)r->size);
        cJSON_AddItemToObject(row, "best", way_json(&r->best));
        cJSON_AddItemToObject(row, "runner_up", r->runner_up.first ? way_json(&r->runner_up)
                                                                   : cJSON_CreateNull());
    }
    return rows;
}

/* One way's columns, with the result table's marks; its name in `width` columns. */
static int way_text(const struct gx_transfer_plan_way *w, int width, char *buf, size_t len)
{
    const struct gx_kept *r = w->first;
    char chunk[32] = "", eff[16] = "-", gbps[24], name[64], line[16] = "-";
    double efficiency = w->neff ? w->eff_sum / w->neff : 0;
    double line_share = w->nline ? w->line_sum / w->nline : 0;
    if (r->chunk > 0) {
        char c[24];
        gx_format_size(r->chunk, c, sizeof c);
        snprintf(chunk, sizeof chunk, " %s/%d", c, r->depth);
    }
    if (w->unsound > 0 && !(efficiency > 0))
        snprintf(eff, sizeof eff, "?");
    else if (efficiency > 0)
        snprintf(eff, sizeof eff, "%.0f%%%s", 100 * efficiency,
                 w->exceeded > 0                        ? "!"
                 : w->within > 0 || efficiency > 1      ? "="
                 : w->unsound > 0                       ? "?"
                                                        : "");
    int in_mbs = gx_format_gbs(w->gbps_sum / w->n, gbps, sizeof gbps - 1);
    if (w->noisy > 0)
        strcat(gbps, "~");
    snprintf(name, sizeof name, "%s %s>%s%s", gx_paths[r->path].name, gx_mem_name(r->src_kind),
             gx_mem_name(r->dst_kind), chunk);
    if (line_share > 0)
        snprintf(line, sizeof line, "%.0f%%%s", 100 * line_share, line_share > 1 ? "!" : "");
    snprintf(buf, len, "%-*s %8s %6s %5s", width, name, gbps, eff, line);
    return in_mbs;
}

static void view_print(FILE *out, const void *state, const struct gx_run *run)
{
    (void)run;
    const struct gx_transfer_plan *p = state;
    int in_mbs = 0, said_pairs = 0, said_groups = 0;
    for (size_t i = 0; i < p->n; i++) {
        const struct gx_transfer_plan_row *r = &p->rows[i];
        int group = r->pair_type >= PT_GROUP_NODE;
        if (!group && !said_pairs++) {
            gx_print_note(out, "\n# transfer plan: the fastest path per pair type, data location "
                          "(both ends in GPU memory, host memory, or mixed) and size class (bw "
                          "at the class's largest measured size; chunk/depth where the path "
                          "chunks), the runner-up (another path) below it\n");
            fprintf(out, "# %-19s %-5s %-6s %5s  %-30s %8s %6s %5s\n", "pair type", "data",
                    "class", "size", "path, then runner-up", "GB/s", "eff", "line");
        }
        if (group && !said_groups++) {
            gx_print_note(out, "\n# collective plan: the fastest path per collective, group (its "
                          "ranks on one node or on several nodes), data location and size class "
                          "(busbw at the class's largest measured size), the runner-up (another "
                          "path) below it\n");
            fprintf(out, "# %-22s %-8s %-5s %-6s %5s  %-22s %8s %6s %5s\n", "collective",
                    "group", "data", "class", "size", "path, runner-up", "busbw", "eff", "line");
        }
        char size[24], best[96], second[96], key[64];
        gx_format_size(r->size, size, sizeof size);
        if (group)
            snprintf(key, sizeof key, "%-22s %-8s", gx_pattern_table[r->pattern]->name,
                     r->pair_type == PT_GROUP_NODE ? "one node" : "nodes");
        else
            snprintf(key, sizeof key, "%-19s", pair_type_names[r->pair_type]);
        int width = group ? 22 : 30;
        in_mbs |= way_text(&r->best, width, best, sizeof best);
        fprintf(out, "  %s %-5s %-6s %5s  %s\n", key, data_names[r->data],
                gx_size_class_name((enum gx_size_class)r->size_class), size, best);
        if (r->runner_up.first) {
            in_mbs |= way_text(&r->runner_up, width, second, sizeof second);
            fprintf(out, "  %*s %-5s %-6s %5s  %s\n", (int)strlen(key), "", "", "", "", second);
        }
    }
    if (in_mbs)
        gx_print_mbs_legend(out);
}

static int view_make(void *p, const struct gx_run *run, struct gx_err *err)
{
    struct gx_pair_link *links = NULL;
    size_t nlinks = 0;
    int rc = gx_pair_links(run->context, &links, &nlinks);
    if (rc == GX_OK)
        rc = gx_transfer_plan_make(p, run->kept, run->nkept, links, nlinks);
    free(links);
    return rc == GX_OK ? GX_OK : gx_fail(err, GX_ERUNTIME, "out of host memory for the transfer "
                                         "plan");
}

const struct gx_view_ops gx_view_transfer_plan = {
    .name = "plan", .state_size = sizeof(struct gx_transfer_plan), .make = view_make,
    .json = view_json, .print = view_print, .free = gx_transfer_plan_free,
};
