#include "layout_matrix.h"

#include "json_util.h"
#include "matrix.h"
#include "path.h"
#include "pattern.h"
#include "scheme.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Where a pair's median lands in one view: matrix m, row, column; 0 when not in it. */
struct view {
    const char *kind;
    unsigned bit;
    int (*count)(const struct gx_layout *l);            /* matrices of the view */
    void (*dims)(const struct gx_layout *l, int *rows, int *cols);
    int (*cells)(const struct gx_layout *l);            /* cells a complete matrix fills */
    int (*locate)(const struct gx_layout *l, int a, int b, int *m, int *row, int *col);
};

static int per_node(const struct gx_layout *l) { return l->per_node; }
static int one(const struct gx_layout *l) { (void)l; return 1; }
static int nodes(const struct gx_layout *l) { return l->nnodes; }

static void node_dims(const struct gx_layout *l, int *rows, int *cols)
{
    *rows = *cols = l->nnodes;
}
static int node_cells(const struct gx_layout *l) { return l->nnodes * (l->nnodes - 1); }
/* Rail i: local rank i of one node with local rank i of another. */
static int rail_locate(const struct gx_layout *l, int a, int b, int *m, int *row, int *col)
{
    if (l->node_of[a] == l->node_of[b] || l->local_of[a] != l->local_of[b])
        return 0;
    *m = l->local_of[a];
    *row = l->node_of[a];
    *col = l->node_of[b];
    return 1;
}

static void map_dims(const struct gx_layout *l, int *rows, int *cols)
{
    *rows = l->per_node;
    *cols = l->nnodes * (l->nnodes - 1);
}
static int map_cells(const struct gx_layout *l) { return l->per_node * node_cells(l); }
/* Ordered node pair x -> y as column x(N-1) + (y without x). */
static int map_locate(const struct gx_layout *l, int a, int b, int *m, int *row, int *col)
{
    if (!rail_locate(l, a, b, m, row, col))
        return 0;
    int x = *row, y = *col;
    *row = *m;
    *col = x * (l->nnodes - 1) + (y < x ? y : y - 1);
    *m = 0;
    return 1;
}

static void local_dims(const struct gx_layout *l, int *rows, int *cols)
{
    *rows = *cols = l->per_node;
}
static int local_cells(const struct gx_layout *l) { return l->per_node * (l->per_node - 1); }
static int local_locate(const struct gx_layout *l, int a, int b, int *m, int *row, int *col)
{
    if (l->node_of[a] != l->node_of[b])
        return 0;
    *m = l->node_of[a];
    *row = l->local_of[a];
    *col = l->local_of[b];
    return 1;
}

static const struct view views[] = {
    {"rail", GX_VIEW_RAILS, per_node, node_dims, node_cells, rail_locate},
    {"rail_map", GX_VIEW_RAIL_MAP, one, map_dims, map_cells, map_locate},
    {"node", GX_VIEW_NODE_LOCAL, nodes, local_dims, local_cells, local_locate},
};

/* One (measurement, view): its matrices' values, NAN where not measured. */
struct group {
    const struct gx_kept *first;
    const struct view *v;
    int nmat, rows, cols;
    double *val;   /* nmat x rows x cols */
    int *filled;   /* per matrix */
};

static int same_key(const struct gx_kept *x, const struct gx_kept *y)
{
    return gx_kept_same_way(x, y) && x->pattern == y->pattern && x->size == y->size;
}

static struct group *group_of(struct group **g, int *ng, int *cap, const struct gx_kept *r,
                              const struct view *v, const struct gx_layout *l)
{
    for (int i = 0; i < *ng; i++)
        if ((*g)[i].v == v && same_key((*g)[i].first, r))
            return &(*g)[i];
    if (*ng == *cap) {
        struct group *grown = realloc(*g, (size_t)(*cap ? 2 * *cap : 16) * sizeof *grown);
        if (!grown)
            return NULL;
        *g = grown;
        *cap = *cap ? 2 * *cap : 16;
    }
    struct group *n = &(*g)[*ng];
    memset(n, 0, sizeof *n);
    n->first = r;
    n->v = v;
    n->nmat = v->count(l);
    v->dims(l, &n->rows, &n->cols);
    size_t cells = (size_t)n->nmat * (size_t)n->rows * (size_t)n->cols;
    n->val = malloc((cells ? cells : 1) * sizeof *n->val);
    n->filled = calloc((size_t)(n->nmat ? n->nmat : 1), sizeof *n->filled);
    if (!n->val || !n->filled) {
        free(n->val);
        free(n->filled);
        return NULL;
    }
    for (size_t k = 0; k < cells; k++)
        n->val[k] = NAN;
    ++*ng;
    return n;
}

static cJSON *matrix_json(const struct group *g, int m, const struct gx_layout *l)
{
    const struct gx_kept *r = g->first;
    const struct gx_pattern_ops *pat = gx_pattern_table[r->pattern];
    cJSON *o = cJSON_CreateObject(), *rows = cJSON_CreateArray();
    if (!o || !rows) {
        cJSON_Delete(o);
        cJSON_Delete(rows);
        return NULL;
    }
    cJSON_AddStringToObject(o, "kind", g->v->kind);
    if (g->v->bit == GX_VIEW_RAILS)
        cJSON_AddNumberToObject(o, "rail", m);
    if (g->v->bit == GX_VIEW_NODE_LOCAL)
        cJSON_AddNumberToObject(o, "node", m);
    cJSON_AddStringToObject(o, "path", gx_paths[r->path].name);
    cJSON_AddStringToObject(o, "pattern", pat->name);
    cJSON_AddNumberToObject(o, "size", (double)r->size);
    cJSON_AddStringToObject(o, "unit", pat->unit);
    gx_kept_add_mem(o, r);
    gx_kept_add_chunk(o, r);
    /* Each row and column as the ranks it stands for: rail i of node n, or a node pair. */
    cJSON *ranks = cJSON_AddArrayToObject(o, g->v->bit == GX_VIEW_RAIL_MAP ? "node_pairs" : "ranks");
    int n = g->v->bit == GX_VIEW_RAIL_MAP ? g->cols : g->rows;
    for (int i = 0; i < n; i++) {
        if (g->v->bit == GX_VIEW_RAIL_MAP) {
            int x = i / (l->nnodes - 1), y = i % (l->nnodes - 1);
            y += y >= x;
            cJSON *p = cJSON_CreateArray();
            cJSON_AddItemToArray(p, cJSON_CreateNumber(x));
            cJSON_AddItemToArray(p, cJSON_CreateNumber(y));
            cJSON_AddItemToArray(ranks, p);
        } else {
            int rank = g->v->bit == GX_VIEW_RAILS ? gx_layout_rank(l, i, m) : gx_layout_rank(l, m, i);
            cJSON_AddItemToArray(ranks, cJSON_CreateNumber(rank));
        }
    }
    if (g->v->bit == GX_VIEW_RAIL_MAP) { /* the ranks of rail i of each node, for the names */
        cJSON *rail_ranks = cJSON_AddArrayToObject(o, "rail_ranks");
        for (int rail = 0; rail < l->per_node; rail++) {
            cJSON *row = cJSON_CreateArray();
            for (int node = 0; node < l->nnodes; node++)
                cJSON_AddItemToArray(row, cJSON_CreateNumber(gx_layout_rank(l, node, rail)));
            cJSON_AddItemToArray(rail_ranks, row);
        }
    }
    const double *v = g->val + (size_t)m * (size_t)g->rows * (size_t)g->cols;
    for (int a = 0; a < g->rows; a++) {
        cJSON *row = cJSON_CreateArray();
        for (int b = 0; b < g->cols; b++) {
            double x = v[a * g->cols + b];
            cJSON_AddItemToArray(row, isnan(x) ? cJSON_CreateNull() : cJSON_CreateNumber(x));
        }
        cJSON_AddItemToArray(rows, row);
    }
    cJSON_AddItemToObject(o, "values", rows);
    return o;
}

cJSON *gx_layout_matrices(const struct gx_kept *res, size_t nres, const struct gx_layout *l,
                          unsigned want, const char **oom)
{
    *oom = NULL;
    if (!want || !l->per_node || nres == 0)
        return NULL;
    struct group *g = NULL;
    int ng = 0, cap = 0;
    for (size_t k = 0; k < nres && !*oom; k++) {
        const struct gx_kept *r = &res[k];
        if (r->state != GX_STATE_OK || r->a < 0 || r->b < 0 || r->a >= l->nranks ||
            r->b >= l->nranks || r->a == r->b)
            continue;
        for (size_t i = 0; i < GX_ARRAY_LEN(views) && !*oom; i++) {
            int m, row, col;
            if (!(want & views[i].bit) || !views[i].locate(l, r->a, r->b, &m, &row, &col))
                continue;
            struct group *gr = group_of(&g, &ng, &cap, r, &views[i], l);
            if (!gr) {
                *oom = "out of host memory for the layout matrices";
                break;
            }
            double *cell = &gr->val[((size_t)m * (size_t)gr->rows + (size_t)row) * (size_t)gr->cols + (size_t)col];
            gr->filled[m] += isnan(*cell);
            *cell = r->median;
        }
    }
    cJSON *out = NULL;
    for (int i = 0; i < ng && !*oom; i++)
        for (int m = 0; m < g[i].nmat && !*oom; m++) {
            if (g[i].filled[m] != g[i].v->cells(l))
                continue; /* only a complete map is a matrix */
            cJSON *x = NULL;
            if ((!out && !(out = cJSON_CreateArray())) || !(x = matrix_json(&g[i], m, l))) {
                *oom = "out of host memory for the layout matrices";
                break;
            }
            cJSON_AddItemToArray(out, x);
        }
    if (*oom) {
        cJSON_Delete(out);
        out = NULL;
    }
    for (int i = 0; i < ng; i++) {
        free(g[i].val);
        free(g[i].filled);
    }
    free(g);
    return out;
}

/* ------------------------------------------------------------------ printing */

static int item_int(const cJSON *arr, int i)
{
    const cJSON *v = cJSON_GetArrayItem(arr, i);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

/* The host of a rank, from the context. */
static const char *host_of(const cJSON *context, int rank)
{
    const cJSON *rc = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(context, "ranks"), rank);
    const char *h = rc ? gx_json_str(rc, "hostname") : "";
    return h[0] ? h : "?";
}

/* The ranks of cell (a, b) of matrix m: initiator and peer. */
static void cell_ranks(const cJSON *m, int a, int b, int *ra, int *rb, char *where, size_t len)
{
    const char *kind = gx_json_str(m, "kind");
    const cJSON *ranks = cJSON_GetObjectItemCaseSensitive(m, "ranks");
    if (strcmp(kind, "rail_map") == 0) {
        const cJSON *pair = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "node_pairs"), b);
        const cJSON *rr = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "rail_ranks"), a);
        int x = item_int(pair, 0), y = item_int(pair, 1);
        *ra = item_int(rr, x);
        *rb = item_int(rr, y);
        snprintf(where, len, "rail %d node %d->%d", a, x, y);
    } else {
        *ra = item_int(ranks, a);
        *rb = item_int(ranks, b);
        if (strcmp(kind, "rail") == 0)
            snprintf(where, len, "rail %d node %d->%d", (int)gx_json_num(m, "rail"), a, b);
        else
            snprintf(where, len, "node %d local %d->%d", (int)gx_json_num(m, "node"), a, b);
    }
}

static void print_values(FILE *out, const cJSON *m, const cJSON *context)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(m, "values");
    const char *kind = gx_json_str(m, "kind");
    int map = strcmp(kind, "rail_map") == 0;
    int nrows = cJSON_GetArraySize(rows), ncols = cJSON_GetArraySize(cJSON_GetArrayItem(rows, 0));
    if (map) { /* a line per node pair, a column per rail: readable at any node count */
        fprintf(out, "#   %-33s", "node pair (hosts)");
        for (int r = 0; r < nrows; r++)
            fprintf(out, " %7s%-2d", "rail ", r);
        fputc('\n', out);
        for (int c = 0; c < ncols; c++) {
            int ra, rb;
            char where[64], hosts[80];
            cell_ranks(m, 0, c, &ra, &rb, where, sizeof where);
            const cJSON *pair = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "node_pairs"), c);
            snprintf(hosts, sizeof hosts, "%d->%d (%.12s->%.12s)", item_int(pair, 0),
                     item_int(pair, 1), host_of(context, ra), host_of(context, rb));
            fprintf(out, "  %-35s", hosts);
            for (int r = 0; r < nrows; r++) {
                const cJSON *v = cJSON_GetArrayItem(cJSON_GetArrayItem(rows, r), c);
                fprintf(out, " %9.3f", cJSON_IsNumber(v) ? v->valuedouble : NAN);
            }
            fputc('\n', out);
        }
        return;
    }
    const cJSON *ranks = cJSON_GetObjectItemCaseSensitive(m, "ranks");
    fprintf(out, "#   %s:", strcmp(kind, "rail") == 0 ? "nodes (rank, host)" : "local ranks (rank)");
    for (int i = 0; i < nrows; i++)
        fprintf(out, " %d (%d %.20s)", i, item_int(ranks, i), host_of(context, item_int(ranks, i)));
    fprintf(out, "\n#      ");
    for (int b = 0; b < ncols; b++)
        fprintf(out, " %9d", b);
    fputc('\n', out);
    for (int a = 0; a < nrows; a++) {
        fprintf(out, "  %5d", a);
        for (int b = 0; b < ncols; b++) {
            const cJSON *v = cJSON_GetArrayItem(cJSON_GetArrayItem(rows, a), b);
            if (cJSON_IsNumber(v))
                fprintf(out, " %9.3f", v->valuedouble);
            else
                fprintf(out, " %9s", "-");
        }
        fputc('\n', out);
    }
}

void gx_layout_matrices_print(FILE *out, const cJSON *mats, const cJSON *context, double slow)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, mats) {
        const char *kind = gx_json_str(m, "kind"), *unit = gx_json_str(m, "unit");
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(m, "values");
        int lower_better = gx_unit_lower_is_better(unit);
        if (strcmp(kind, "rail_map") == 0)
            fprintf(out, "\n# rail map: path %s, pattern %s, size %.0f, %s (line: ordered node "
                    "pair, sender first; column: rail = local rank)\n", gx_json_str(m, "path"),
                    gx_json_str(m, "pattern"), gx_json_num(m, "size"), unit);
        else if (strcmp(kind, "rail") == 0)
            fprintf(out, "\n# node matrix, rail %.0f: path %s, pattern %s, size %.0f, %s (row: "
                    "sender node, column: receiver node)\n", gx_json_num(m, "rail"),
                    gx_json_str(m, "path"), gx_json_str(m, "pattern"), gx_json_num(m, "size"), unit);
        else
            fprintf(out, "\n# node %.0f's matrix: path %s, pattern %s, size %.0f, %s (row: "
                    "sender local rank, column: receiver)\n", gx_json_num(m, "node"),
                    gx_json_str(m, "path"), gx_json_str(m, "pattern"), gx_json_num(m, "size"), unit);
        print_values(out, m, context);
        double med = NAN;
        gx_matrix_median(rows, &med);
        double limit = lower_better ? med / slow : med * slow;
        fprintf(out, "# slow %s (%s %.3f %s = %s%.2f x the median %.3f):",
                strcmp(kind, "node") == 0 ? "pairs" : "rails and node pairs",
                lower_better ? "above" : "below", limit, unit, lower_better ? "1/" : "", slow, med);
        int nslow = 0, a = 0;
        const cJSON *row, *v;
        cJSON_ArrayForEach(row, rows) {
            int b = 0;
            cJSON_ArrayForEach(v, row) {
                if (cJSON_IsNumber(v) &&
                    (lower_better ? v->valuedouble > limit : v->valuedouble < limit)) {
                    int ra, rb;
                    char where[64], da[300], db[300];
                    cell_ranks(m, a, b, &ra, &rb, where, sizeof where);
                    gx_matrix_describe_rank(da, sizeof da, context, ra);
                    gx_matrix_describe_rank(db, sizeof db, context, rb);
                    fprintf(out, "\n#   SLOW %s %.3f %s (%.2f x median): %s -> %s", where,
                            v->valuedouble, unit, med ? v->valuedouble / med : 0, da, db);
                    nslow++;
                }
                b++;
            }
            a++;
        }
        fprintf(out, "%s\n", nslow ? "" : " none");
    }
    fflush(out);
}
