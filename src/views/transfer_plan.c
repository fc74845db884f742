#include "config.h"
#include "grid.h"
#include "kept.h"
#include "view.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "sizes.h"

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

/* A way's columns, under `prefix` in the report ("best.", "runner_up."); its text on the row's
 * second line where `second` (the column it starts under, + 1). */
#define WAY_COLS(prefix, name, wide, unit, sec)                                           \
    {.key = prefix "path"}, {.key = prefix "mem.src"}, {.key = prefix "mem.dst"},              \
    {.key = prefix "chunk"}, {.key = prefix "depth"},                                          \
    {.head = name, .lead = "  ", .width = -(wide), .whole = 1, .second = sec},             \
    {.key = prefix "gbps", .head = unit, .lead = " ", .width = 8, .form = GX_FORM_GBS,         \
     .second = sec},                                                                       \
    {.key = prefix "efficiency", .head = "eff", .lead = " ", .width = 6,                       \
     .form = GX_FORM_PERCENT, .second = sec},                                              \
    {.key = prefix "line_share", .head = "line", .lead = " ", .width = 5,                      \
     .form = GX_FORM_PERCENT, .second = sec},                                              \
    {.key = prefix "pairs"}, {.key = prefix "ceiling_exceeded"},                               \
    {.key = prefix "ceiling_within"}, {.key = prefix "ceiling_unsound"}, {.key = prefix "noisy"}
enum { W_PATH, W_SRC, W_DST, W_CHUNK, W_DEPTH, W_NAME, W_GBPS, W_EFF, W_LINE, W_PAIRS,
       W_EXCEEDED, W_WITHIN, W_UNSOUND, W_NOISY, W_COLS };

/* The pairs' grid, then the collectives': their rows are the report's one array. */
enum { P_TYPE, P_DATA, P_CLASS, P_SIZE, P_BEST, P_NO_RUNNER_UP = P_BEST + W_COLS, P_SECOND,
       P_COLS = P_SECOND + W_COLS };
static const struct gx_grid_col pair_cols[P_COLS] = {
    {.key = "pair_type", .head = "pair type", .lead = "  ", .width = -19},
    {.key = "data", .head = "data", .lead = " ", .width = -5},
    {.key = "size_class", .head = "class", .lead = " ", .width = -6},
    {.key = "size", .head = "size", .lead = " ", .width = 5, .form = GX_FORM_SIZE},
    WAY_COLS("best.", "path, then runner-up", 30, "GB/s", 0), {.key = "runner_up"},
    WAY_COLS("runner_up.", "", 30, "", P_BEST + W_NAME + 1),
};
enum { G_TYPE, G_PATTERN, G_GROUP, G_DATA, G_CLASS, G_SIZE, G_BEST,
       G_NO_RUNNER_UP = G_BEST + W_COLS, G_SECOND, G_COLS = G_SECOND + W_COLS };
static const struct gx_grid_col group_cols[G_COLS] = {
    {.key = "pair_type"},
    {.key = "pattern", .head = "collective", .lead = "  ", .width = -22},
    {.head = "group", .lead = " ", .width = -8},
    {.key = "data", .head = "data", .lead = " ", .width = -5},
    {.key = "size_class", .head = "class", .lead = " ", .width = -6},
    {.key = "size", .head = "size", .lead = " ", .width = 5, .form = GX_FORM_SIZE},
    WAY_COLS("best.", "path, runner-up", 22, "busbw", 0), {.key = "runner_up"},
    WAY_COLS("runner_up.", "", 22, "", G_BEST + W_NAME + 1),
};

/* A way's cells from column c, with the result table's marks: the marks travel with the mean (a
 * mean over pairs must not hide one pair's). */
static void way_cells(struct gx_grid *g, int row, int c, const struct gx_transfer_plan_way *w)
{
    const struct gx_kept *r = w->first;
    double eff = w->neff ? w->eff_sum / w->neff : 0, line = w->nline ? w->line_sum / w->nline : 0;
    char chunk[32] = "", size[24];
    if (r->chunk > 0) {
        gx_format_size(r->chunk, size, sizeof size);
        snprintf(chunk, sizeof chunk, " %s/%d", size, r->depth);
        gx_grid_put(g, row, c + W_CHUNK, GX_CELL_INT, (double)r->chunk, NULL);
        gx_grid_put(g, row, c + W_DEPTH, GX_CELL_INT, r->depth, NULL);
    }
    gx_grid_put(g, row, c + W_PATH, GX_CELL_TEXT, 0, gx_paths[r->path].name);
    gx_grid_put(g, row, c + W_SRC, GX_CELL_TEXT, 0, gx_mem_name(r->src_kind));
    gx_grid_put(g, row, c + W_DST, GX_CELL_TEXT, 0, gx_mem_name(r->dst_kind));
    gx_grid_put(g, row, c + W_NAME, GX_CELL_TEXT, 0,
        gx_grid_text(g, "%s %s>%s%s", gx_paths[r->path].name, gx_mem_name(r->src_kind),
                     gx_mem_name(r->dst_kind), chunk));
    gx_grid_put(g, row, c + W_GBPS, GX_CELL_REAL, w->gbps_sum / w->n, NULL);
    gx_grid_at(g, row, c + W_GBPS)->mark = w->noisy ? '~' : 0;
    gx_grid_put(g, row, c + W_EFF, w->neff ? GX_CELL_REAL : GX_CELL_NULL, eff, NULL);
    gx_grid_at(g, row, c + W_EFF)->mark = eff > 0 && w->exceeded > 0       ? '!'
                                          : eff > 0 && (w->within || eff > 1) ? '='
                                          : w->unsound > 0                    ? '?'
                                                                              : 0;
    if (w->nline) {
        gx_grid_put(g, row, c + W_LINE, GX_CELL_REAL, line, NULL);
        gx_grid_at(g, row, c + W_LINE)->mark = line > 1 ? '!' : 0;
    }
    gx_grid_put(g, row, c + W_PAIRS, GX_CELL_INT, w->n, NULL);
    int marks[] = {w->exceeded, w->within, w->unsound, w->noisy};
    for (int i = 0; i < 4; i++)
        if (marks[i])
            gx_grid_put(g, row, c + W_EXCEEDED + i, GX_CELL_INT, marks[i], NULL);
}

static int ngrids(const void *state, const struct gx_run *run)
{
    (void)state, (void)run;
    return 2;
}

static int view_grid(const void *state, const struct gx_run *run, int i, struct gx_grid *g,
                     struct gx_err *err)
{
    (void)run;
    const struct gx_transfer_plan *p = state;
    int n = 0;
    for (size_t k = 0; k < p->n; k++)
        n += (p->rows[k].pair_type >= PT_GROUP_NODE) == i;
    if (gx_grid_init(g, i ? group_cols : pair_cols, i ? G_COLS : P_COLS, n, err) != GX_OK)
        return err->rc;
    g->title = i ? "\n# collective plan: the fastest path per collective, group (its ranks on "
                   "one node or on several nodes), data location and size class (busbw at the "
                   "class's largest measured size), the runner-up (another path) below it\n"
                 : "\n# transfer plan: the fastest path per pair type, data location (both ends "
                   "in GPU memory, host memory, or mixed) and size class (bw at the class's "
                   "largest measured size; chunk/depth where the path chunks), the runner-up "
                   "(another path) below it\n";
    int at = 0, lead = i ? G_DATA : P_DATA, best = i ? G_BEST : P_BEST;
    for (size_t k = 0; k < p->n; k++) {
        const struct gx_transfer_plan_row *r = &p->rows[k];
        if ((r->pair_type >= PT_GROUP_NODE) != i)
            continue;
        gx_grid_put(g, at, 0, GX_CELL_TEXT, 0, pair_type_names[r->pair_type]);
        if (i) {
            gx_grid_put(g, at, G_PATTERN, GX_CELL_TEXT, 0, gx_pattern_table[r->pattern]->name);
            gx_grid_put(g, at, G_GROUP, GX_CELL_TEXT, 0,
                r->pair_type == PT_GROUP_NODE ? "one node" : "nodes");
        }
        gx_grid_put(g, at, lead, GX_CELL_TEXT, 0, data_names[r->data]);
        gx_grid_put(g, at, lead + 1, GX_CELL_TEXT, 0,
            gx_size_class_name((enum gx_size_class)r->size_class));
        gx_grid_put(g, at, lead + 2, GX_CELL_INT, (double)r->size, NULL);
        way_cells(g, at, best, &r->best);
        if (r->runner_up.first)
            way_cells(g, at, best + W_COLS + 1, &r->runner_up);
        else
            gx_grid_put(g, at, best + W_COLS, GX_CELL_NULL, 0, NULL);
        at++;
    }
    return GX_OK;
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
    .ngrids = ngrids, .grid = view_grid, .free = gx_transfer_plan_free,
};
