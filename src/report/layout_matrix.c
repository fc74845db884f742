#include "kept.h"
#include "slow_nodes.h"
#include "view.h"

#include "gx.h"
#include "path.h"
#include "pattern.h"
#include "scheme.h"
#include "sizes.h"
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One view: its matrices, their sizes, and where a pair's median lands (0: not in it). */
struct view {
    const char *kind;
    unsigned bit;
    int (*count)(const struct gx_layout *l);
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
    char *mark;
    int *filled;   /* per matrix */
};

static void group_free(struct group *g)
{
    free(g->val);
    free(g->mark);
    free(g->filled);
    *g = (struct group){0};
}

static int group_init(struct group *g, const struct gx_kept *r, const struct view *v,
                      const struct gx_layout *l)
{
    *g = (struct group){.first = r, .v = v, .nmat = v->count(l)};
    v->dims(l, &g->rows, &g->cols);
    size_t cells = (size_t)g->nmat * (size_t)g->rows * (size_t)g->cols;
    g->val = malloc((cells ? cells : 1) * sizeof *g->val);
    g->mark = malloc(cells ? cells : 1);
    g->filled = calloc((size_t)(g->nmat ? g->nmat : 1), sizeof *g->filled);
    if (!g->val || !g->mark || !g->filled) {
        group_free(g);
        return -1;
    }
    for (size_t k = 0; k < cells; k++)
        g->val[k] = NAN;
    memset(g->mark, ' ', cells);
    return 0;
}

/* Ordered node pair c of the rail map, as map_locate numbers them. */
static void map_pair(const struct gx_layout *l, int c, int *x, int *y)
{
    *x = c / (l->nnodes - 1);
    *y = c % (l->nnodes - 1);
    *y += *y >= *x;
}

/* The rank row/column i of x stands for: rail m of node i, or local rank i of node m. */
static int axis_rank(const struct gx_layout_matrix *x, const struct gx_layout *l, int i)
{
    return x->view == GX_VIEW_RAILS ? gx_layout_rank(l, i, x->m) : gx_layout_rank(l, x->m, i);
}

static const struct view *view_of(const struct gx_layout_matrix *x)
{
    for (size_t i = 0; i < GX_ARRAY_LEN(views); i++)
        if (views[i].bit == (unsigned)x->view)
            return &views[i];
    return &views[0];
}

static cJSON *matrix_json(const struct gx_layout_matrix *x, const struct gx_layout *l,
                          const struct gx_run *run)
{
    cJSON *o = cJSON_CreateObject(), *rows = cJSON_CreateArray();
    if (!o || !rows) {
        cJSON_Delete(o);
        cJSON_Delete(rows);
        return NULL;
    }
    int map = x->view == GX_VIEW_RAIL_MAP;
    cJSON_AddStringToObject(o, "kind", view_of(x)->kind);
    if (x->view == GX_VIEW_RAILS)
        cJSON_AddNumberToObject(o, "rail", x->m);
    if (x->view == GX_VIEW_NODE_LOCAL)
        cJSON_AddNumberToObject(o, "node", x->m);
    gx_kept_add_measurement(o, x->first);
    cJSON *ranks = cJSON_AddArrayToObject(o, map ? "node_pairs" : "ranks");
    for (int i = 0; i < (map ? x->cols : x->rows); i++) {
        if (map) {
            int pair[2];
            map_pair(l, i, &pair[0], &pair[1]);
            cJSON_AddItemToArray(ranks, cJSON_CreateIntArray(pair, 2));
        } else {
            cJSON_AddItemToArray(ranks, cJSON_CreateNumber(axis_rank(x, l, i)));
        }
    }
    if (map) {
        cJSON *rail_ranks = cJSON_AddArrayToObject(o, "rail_ranks");
        for (int rail = 0; rail < l->per_node; rail++) {
            cJSON *row = cJSON_CreateArray();
            for (int node = 0; node < l->nnodes; node++)
                cJSON_AddItemToArray(row, cJSON_CreateNumber(gx_layout_rank(l, node, rail)));
            cJSON_AddItemToArray(rail_ranks, row);
        }
    }
    cJSON *disturbed = NULL;
    for (int a = 0; a < x->rows; a++) {
        cJSON *row = cJSON_CreateArray();
        for (int b = 0; b < x->cols; b++) {
            double v = x->val[a * x->cols + b];
            cJSON_AddItemToArray(row, isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v));
            if (!isnan(v) && x->mark[a * x->cols + b] == GX_MATRIX_DISTURBED &&
                (disturbed || (disturbed = cJSON_CreateArray()))) {
                int cell[2] = {a, b};
                cJSON_AddItemToArray(disturbed, cJSON_CreateIntArray(cell, 2));
            }
        }
        cJSON_AddItemToArray(rows, row);
    }
    cJSON_AddItemToObject(o, "values", rows);
    if (disturbed)
        cJSON_AddItemToObject(o, "disturbed", disturbed);
    gx_slow_nodes_json(o, x, run);
    return o;
}

/* In the order their (measurement, view) first placed a result. */
static int matrix_cmp(const void *p, const void *q)
{
    const struct gx_layout_matrix *x = p, *y = q;
    if (x->first != y->first)
        return (x->first > y->first) - (x->first < y->first);
    return x->view != y->view ? x->view - y->view : x->m - y->m;
}

static int keep_matrix(struct gx_layout_matrix_set *s, size_t *cap, const struct group *g, int m)
{
    size_t cells = (size_t)g->rows * (size_t)g->cols, at = (size_t)m * cells;
    struct gx_layout_matrix x = {.first = g->first, .l = s->l, .view = (int)g->v->bit, .m = m,
                                 .rows = g->rows, .cols = g->cols,
                                 .val = malloc(cells * sizeof *x.val),
                                 .mark = malloc(cells)};
    struct gx_layout_matrix *grown = x.val && x.mark ?
        gx_grow(s->m, cap, s->n, 16, sizeof *grown) : NULL;
    if (!grown) {
        free(x.val);
        free(x.mark);
        return -1;
    }
    memcpy(x.val, g->val + at, cells * sizeof *x.val);
    memcpy(x.mark, g->mark + at, cells);
    s->m = grown;
    s->m[s->n++] = x;
    return 0;
}

/* The view's complete matrices of one measurement's results (by pair) into s. */
static int view_matrices(const struct gx_kept *const *run, size_t n, int vi,
                         struct gx_layout_matrix_set *s, size_t *cap)
{
    const struct gx_layout *l = s->l;
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
        g.val[at] = r->median; /* a pair measured twice: its later result's */
        g.mark[at] = r->noise ? GX_MATRIX_DISTURBED : ' ';
    }
    int rc = 0;
    for (int m = 0; g.first && m < g.nmat && rc == 0; m++)
        if (g.filled[m] == v->cells(l)) /* only a complete map is a matrix */
            rc = keep_matrix(s, cap, &g, m);
    group_free(&g);
    return rc;
}

static int view_make(void *set, const struct gx_run *run, struct gx_err *err)
{
    struct gx_layout_matrix_set *s = set;
    const struct gx_kept *res = run->kept;
    const struct gx_layout *l = run->layout;
    size_t nres = run->nkept;
    unsigned want = run->layout_views;
    *s = (struct gx_layout_matrix_set){.l = l};
    if (!want || !l->per_node || nres == 0)
        return GX_OK;
    /* By measurement, then pair: the matrices made in O(n log n), one measurement's at a time. */
    const struct gx_kept **order = malloc(nres * sizeof *order);
    size_t k = 0, cap = 0;
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
                rc = view_matrices(order + from, to - from, vi, s, &cap);
    }
    free(order);
    if (rc != 0) {
        gx_layout_matrices_free(s);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the layout matrices");
    }
    if (s->n)
        qsort(s->m, s->n, sizeof *s->m, matrix_cmp);
    return GX_OK;
}

static cJSON *view_json(const void *state, const struct gx_run *run)
{
    const struct gx_layout_matrix_set *s = state;
    cJSON *out = s->n ? cJSON_CreateArray() : NULL;
    for (size_t i = 0; out && i < s->n; i++) {
        cJSON *x = matrix_json(&s->m[i], s->l, run);
        if (!x || !cJSON_AddItemToArray(out, x)) {
            cJSON_Delete(x);
            cJSON_Delete(out);
            out = NULL;
        }
    }
    return out;
}

void gx_layout_matrices_free(void *set)
{
    struct gx_layout_matrix_set *s = set;
    for (size_t i = 0; i < s->n; i++) {
        free(s->m[i].val);
        free(s->m[i].mark);
    }
    free(s->m);
    *s = (struct gx_layout_matrix_set){0};
}

/* ------------------------------------------------------------------ printing */

static void cell_ranks(const void *x_, int a, int b, int *ra, int *rb, char *where, size_t len)
{
    const struct gx_layout_matrix *x = x_;
    const struct gx_layout *l = x->l;
    if (x->view == GX_VIEW_RAIL_MAP) {
        int nx, ny;
        map_pair(l, b, &nx, &ny);
        *ra = gx_layout_rank(l, nx, a);
        *rb = gx_layout_rank(l, ny, a);
        snprintf(where, len, "rail %d node %d->%d", a, nx, ny);
        return;
    }
    *ra = axis_rank(x, l, a);
    *rb = axis_rank(x, l, b);
    if (x->view == GX_VIEW_RAILS)
        snprintf(where, len, "rail %d node %d->%d", x->m, a, b);
    else
        snprintf(where, len, "node %d local %d->%d", x->m, a, b);
}

static void print_values(FILE *out, const struct gx_layout_matrix *x, const struct gx_layout *l,
                         const struct gx_context *context, const struct gx_matrix_grid *g)
{
    if (x->view == GX_VIEW_RAIL_MAP) { /* a line per node pair: readable at any node count */
        fprintf(out, "#   %-33s", "node pair (hosts)");
        for (int r = 0; r < x->rows; r++)
            fprintf(out, " %7s%-2d", "rail ", r);
        fputc('\n', out);
        for (int c = 0; c < x->cols; c++) {
            int ra, rb, nx, ny;
            char where[64], hosts[80];
            cell_ranks(x, 0, c, &ra, &rb, where, sizeof where);
            map_pair(l, c, &nx, &ny);
            snprintf(hosts, sizeof hosts, "%d->%d (%.12s->%.12s)", nx, ny,
                     gx_host_of(context, ra), gx_host_of(context, rb));
            fprintf(out, "  %-35s", hosts);
            for (int r = 0; r < x->rows; r++)
                gx_matrix_print_cell(out, 9, x->val[r * x->cols + c], x->mark[r * x->cols + c],
                                     g->gbs);
            fputc('\n', out);
        }
        return;
    }
    fprintf(out, "#   %s:", x->view == GX_VIEW_RAILS ? "nodes (rank, host)" : "local ranks (rank)");
    for (int i = 0; i < x->rows; i++)
        fprintf(out, " %d (%d %.20s)", i, axis_rank(x, l, i),
                gx_host_of(context, axis_rank(x, l, i)));
    fputc('\n', out);
    gx_matrix_print_rows(out, g);
}

static void print_matrix(FILE *out, const struct gx_layout_matrix *x, const struct gx_layout *l,
                         const struct gx_context *context, double slow)
{
    const struct gx_kept *r = x->first;
    const struct gx_pattern_ops *pat = gx_pattern_table[r->pattern];
    const char *unit = pat->unit, *path = gx_paths[r->path].name;
    if (x->view == GX_VIEW_RAIL_MAP)
        fprintf(out, "\n# rail map: path %s, pattern %s, size %.0f, %s (line: ordered node "
                "pair, sender first; column: rail = local rank)\n", path, pat->name,
                (double)r->size, unit);
    else if (x->view == GX_VIEW_RAILS)
        fprintf(out, "\n# node matrix, rail %d: path %s, pattern %s, size %.0f, %s (row: "
                "sender node, column: receiver node)\n", x->m, path, pat->name, (double)r->size,
                unit);
    else
        fprintf(out, "\n# node %d's matrix: path %s, pattern %s, size %.0f, %s (row: "
                "sender local rank, column: receiver)\n", x->m, path, pat->name, (double)r->size,
                unit);
    struct gx_matrix_grid g = {x->rows, x->cols, x->val, x->mark, cell_ranks, x, NULL, 0,
                               gx_unit_is_gbs(unit)};
    print_values(out, x, l, context, &g);
    gx_matrix_print_tail(out, &g, context, unit, slow,
                         x->view == GX_VIEW_NODE_LOCAL ? "pairs" : "rails and node pairs",
                         "median");
    gx_slow_nodes_print(out, x, context, slow);
}

static void view_print(FILE *out, const void *state, const struct gx_run *run)
{
    const struct gx_layout_matrix_set *s = state;
    for (size_t i = 0; i < s->n; i++)
        print_matrix(out, &s->m[i], s->l, run->context, run->opts->g.slow_pair);
    fflush(out);
}

const struct gx_view_ops gx_view_layout_matrices = {
    .name = "layout_matrices", .state_size = sizeof(struct gx_layout_matrix_set),
    .make = view_make, .findings = gx_slow_nodes_findings, .json = view_json, .print = view_print,
    .free = gx_layout_matrices_free,
};
