#include "layout_matrix.h"

#include "gx.h"
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
    const struct gx_kept *first; /* its earliest result the view places */
    const struct view *v;
    int nmat, rows, cols;
    double *val;   /* nmat x rows x cols */
    unsigned char *disturbed; /* the same cells: the machine disturbed the median (its noise) */
    int *filled;   /* per matrix */
};

static void group_free(struct group *g)
{
    free(g->val);
    free(g->disturbed);
    free(g->filled);
    *g = (struct group){0};
}

/* Room for the view's matrices in g: 0, or -1 when out of memory. */
static int group_init(struct group *g, const struct gx_kept *r, const struct view *v,
                      const struct gx_layout *l)
{
    *g = (struct group){.first = r, .v = v, .nmat = v->count(l)};
    v->dims(l, &g->rows, &g->cols);
    size_t cells = (size_t)g->nmat * (size_t)g->rows * (size_t)g->cols;
    g->val = malloc((cells ? cells : 1) * sizeof *g->val);
    g->disturbed = calloc(cells ? cells : 1, sizeof *g->disturbed);
    g->filled = calloc((size_t)(g->nmat ? g->nmat : 1), sizeof *g->filled);
    if (!g->val || !g->disturbed || !g->filled) {
        group_free(g);
        return -1;
    }
    for (size_t k = 0; k < cells; k++)
        g->val[k] = NAN;
    return 0;
}

static cJSON *matrix_json(const struct group *g, int m, const struct gx_layout *l)
{
    const struct gx_kept *r = g->first;
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
    gx_kept_add_measurement(o, r);
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
    size_t at = (size_t)m * (size_t)g->rows * (size_t)g->cols;
    const double *v = g->val + at;
    const unsigned char *dist = g->disturbed + at;
    cJSON *disturbed = NULL;
    for (int a = 0; a < g->rows; a++) {
        cJSON *row = cJSON_CreateArray();
        for (int b = 0; b < g->cols; b++) {
            double x = v[a * g->cols + b];
            cJSON_AddItemToArray(row, isnan(x) ? cJSON_CreateNull() : cJSON_CreateNumber(x));
            if (!isnan(x) && dist[a * g->cols + b] &&
                (disturbed || (disturbed = cJSON_CreateArray()))) {
                cJSON *cell = cJSON_CreateArray();
                cJSON_AddItemToArray(cell, cJSON_CreateNumber(a));
                cJSON_AddItemToArray(cell, cJSON_CreateNumber(b));
                cJSON_AddItemToArray(disturbed, cell);
            }
        }
        cJSON_AddItemToArray(rows, row);
    }
    cJSON_AddItemToObject(o, "values", rows);
    if (disturbed)
        cJSON_AddItemToObject(o, "disturbed", disturbed);
    return o;
}

/* A complete matrix, where it goes among the others: the matrices are in the order their
 * (measurement, view) first placed a result, as the results came. */
struct made {
    const struct gx_kept *first;
    int view, m;
    cJSON *json;
};

static int made_cmp(const void *p, const void *q)
{
    const struct made *x = p, *y = q;
    if (x->first != y->first)
        return (x->first > y->first) - (x->first < y->first);
    return x->view != y->view ? x->view - y->view : x->m - y->m;
}

/* The view's complete matrices of one measurement's results (run[0..n), by pair) into *mades;
 * 0, or -1 when out of memory. */
static int view_matrices(const struct gx_kept *const *run, size_t n, int vi,
                         const struct gx_layout *l, struct made **mades, size_t *nmade,
                         size_t *cap)
{
    const struct view *v = &views[vi];
    struct group g = {0};
    for (size_t k = 0; k < n; k++) {
        const struct gx_kept *r = run[k];
        int m, row, col;
        if (!v->locate(l, r->a, r->b, &m, &row, &col))
            continue;
        if (!g.first && group_init(&g, r, v, l) < 0)
            return -1;
        g.first = r < g.first ? r : g.first;
        size_t at = ((size_t)m * (size_t)g.rows + (size_t)row) * (size_t)g.cols + (size_t)col;
        g.filled[m] += isnan(g.val[at]);
        g.val[at] = r->median;
        g.disturbed[at] = r->noise != 0; /* a pair measured twice: its later result's */
    }
    int rc = 0;
    for (int m = 0; g.first && m < g.nmat && rc == 0; m++) {
        if (g.filled[m] != v->cells(l))
            continue; /* only a complete map is a matrix */
        struct made *grown = gx_grow(*mades, cap, *nmade, 16, sizeof *grown);
        cJSON *x = grown ? matrix_json(&g, m, l) : NULL;
        if (grown)
            *mades = grown;
        if (!x)
            rc = -1;
        else
            (*mades)[(*nmade)++] = (struct made){g.first, vi, m, x};
    }
    group_free(&g);
    return rc;
}

cJSON *gx_layout_matrices(const struct gx_kept *res, size_t nres, const struct gx_layout *l,
                          unsigned want, const char **oom)
{
    *oom = NULL;
    if (!want || !l->per_node || nres == 0)
        return NULL;
    /* By measurement, then pair: each measurement's results one after the other, so that the
     * matrices are made in O(n log n) of the results, one measurement's at a time. */
    const struct gx_kept **order = malloc(nres * sizeof *order);
    struct made *mades = NULL;
    size_t k = 0, nmade = 0, cap = 0;
    int rc = order ? 0 : -1;
    for (size_t i = 0; order && i < nres; i++) {
        const struct gx_kept *r = &res[i];
        if (r->state == GX_STATE_OK && r->a >= 0 && r->b >= 0 && r->a < l->nranks &&
            r->b < l->nranks && r->a != r->b)
            order[k++] = r;
    }
    if (order)
        qsort(order, k, sizeof *order, gx_kept_pair_cmp);
    for (size_t from = 0, to; rc == 0 && from < k; from = to) {
        for (to = from + 1; to < k && gx_kept_key_cmp(order[to], order[from]) == 0; to++)
            ;
        for (int vi = 0; vi < (int)GX_ARRAY_LEN(views) && rc == 0; vi++)
            if (want & views[vi].bit)
                rc = view_matrices(order + from, to - from, vi, l, &mades, &nmade, &cap);
    }
    free(order);
    if (nmade)
        qsort(mades, nmade, sizeof *mades, made_cmp);
    cJSON *out = rc == 0 && nmade ? cJSON_CreateArray() : NULL;
    for (size_t i = 0; i < nmade; i++) {
        if (out && cJSON_AddItemToArray(out, mades[i].json))
            mades[i].json = NULL;
        cJSON_Delete(mades[i].json);
    }
    free(mades);
    if (rc != 0 || (nmade && !out)) {
        *oom = "out of host memory for the layout matrices";
        cJSON_Delete(out);
        return NULL;
    }
    return out;
}

/* ------------------------------------------------------------------ printing */

static int item_int(const cJSON *arr, int i)
{
    const cJSON *v = cJSON_GetArrayItem(arr, i);
    return cJSON_IsNumber(v) ? v->valueint : -1;
}

/* The host of a rank, from the context. */
static const char *host_of(const struct gx_context *context, int rank)
{
    const struct gx_ctx_rank *rc = gx_ctx_rank(context, rank);
    const char *h = rc ? gx_ctx_text(context, rc->hostname) : "";
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

/* Whether cell (a, b) of m is in its "disturbed" list (a few cells, if any). */
static int is_disturbed(const cJSON *m, int a, int b)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(m, "disturbed"))
        if (item_int(c, 0) == a && item_int(c, 1) == b)
            return 1;
    return 0;
}

/* A value in its 9 columns, a disturbed one with its mark in place of the last gap. */
static void print_cell(FILE *out, const cJSON *m, const cJSON *v, int a, int b)
{
    if (!cJSON_IsNumber(v))
        fprintf(out, " %9s", "-");
    else if (is_disturbed(m, a, b))
        fprintf(out, " %8.3f%c", v->valuedouble, GX_MATRIX_DISTURBED);
    else
        fprintf(out, " %9.3f", v->valuedouble);
}

static void print_values(FILE *out, const cJSON *m, const struct gx_context *context)
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
            for (int r = 0; r < nrows; r++)
                print_cell(out, m, cJSON_GetArrayItem(cJSON_GetArrayItem(rows, r), c), r, c);
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
        for (int b = 0; b < ncols; b++)
            print_cell(out, m, cJSON_GetArrayItem(cJSON_GetArrayItem(rows, a), b), a, b);
        fputc('\n', out);
    }
}

void gx_layout_matrices_print(FILE *out, const cJSON *mats, const struct gx_context *context,
                              double slow)
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
        if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "disturbed")) > 0)
            fputs(GX_MATRIX_DISTURBED_LEGEND, out);
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
                    fprintf(out, "\n#   SLOW %s %.3f%s %s (%.2f x median): %s -> %s", where,
                            v->valuedouble, is_disturbed(m, a, b) ? "~" : "", unit,
                            med ? v->valuedouble / med : 0, da, db);
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
