/* Collectives per node (--pairs node on several nodes): each node's group beside the other
 * nodes' at the largest size measured, one table per path and memory kinds, a node below
 * --slow-pair x the others' median named. Rank 0. */
#include "grid.h"
#include "kept.h"
#include "view.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "sizes.h"
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct coll_table {
    const struct gx_kept *first; /* its path, memory kinds and size */
    int pats[GX_MAX_PATTERNS];   /* the columns: patterns in table order */
    int npats;
    const struct gx_kept **cell; /* nnodes x npats; NULL where not measured */
    char *mark;                  /* nnodes x npats: GX_MATRIX_BELOW, GX_MATRIX_DISTURBED or 0 */
    double *ratio;               /* nnodes x npats: against the other nodes' median; NAN none */
};

struct coll_nodes {
    struct coll_table *t;
    size_t n;
    int nnodes;
};

static int node_collective(const struct gx_kept *k)
{
    return k->state == GX_STATE_OK && k->same_node && k->median > 0 && gx_kept_collective(k);
}

static int same_table(const struct gx_kept *x, const struct gx_kept *y)
{
    return x->path == y->path && x->src_kind == y->src_kind && x->dst_kind == y->dst_kind;
}

/* A cell of table x: its path, memory kinds and size, a rank of the job. */
static int in_table(const struct gx_kept *k, const struct coll_table *x, const struct gx_layout *l)
{
    return node_collective(k) && same_table(k, x->first) && k->size == x->first->size &&
           k->a >= 0 && k->a < l->nranks;
}

static void coll_nodes_free(void *state)
{
    struct coll_nodes *s = state;
    for (size_t i = 0; i < s->n; i++) {
        free(s->t[i].cell);
        free(s->t[i].mark);
        free(s->t[i].ratio);
    }
    free(s->t);
    *s = (struct coll_nodes){0};
}

/* Each cell against the median of the other nodes' cells of its column (two at least: of two
 * nodes, either could be the slow one). A slow cell is named even where the machine disturbed
 * it (as the rail map's slow nodes are): the finding says so; --slow-pair sets how far below. */
static void judge(struct coll_table *t, int nnodes, double slow, double *scratch)
{
    for (int c = 0; c < t->npats; c++)
        for (int n = 0; n < nnodes; n++) {
            const struct gx_kept *k = t->cell[n * t->npats + c];
            t->ratio[n * t->npats + c] = NAN;
            if (!k)
                continue;
            if (k->noise)
                t->mark[n * t->npats + c] = GX_MATRIX_DISTURBED;
            size_t m = 0;
            for (int o = 0; o < nnodes; o++)
                if (o != n && t->cell[o * t->npats + c])
                    scratch[m++] = t->cell[o * t->npats + c]->median;
            double med = gx_siblings_median(scratch, m);
            if (!(med > 0))
                continue;
            t->ratio[n * t->npats + c] = k->median / med;
            if (k->median < slow * med)
                t->mark[n * t->npats + c] = GX_MATRIX_BELOW;
        }
}

static int view_make(void *state, const struct gx_run *run, struct gx_err *err)
{
    struct coll_nodes *s = state;
    const struct gx_layout *l = run->layout;
    if (!l || l->nnodes < 2)
        return GX_OK;
    s->nnodes = l->nnodes;
    /* One table per path and memory kinds, at the largest size of its node groups. */
    for (size_t i = 0; i < run->nkept; i++) {
        const struct gx_kept *k = &run->kept[i];
        if (!node_collective(k))
            continue;
        size_t t = 0;
        while (t < s->n && !same_table(s->t[t].first, k))
            t++;
        if (t == s->n) {
            struct coll_table *grown = realloc(s->t, (s->n + 1) * sizeof *grown);
            if (!grown)
                return gx_fail(err, GX_ERUNTIME, "out of host memory for the collectives per node");
            s->t = grown;
            s->t[s->n++] = (struct coll_table){.first = k};
        } else if (k->size > s->t[t].first->size)
            s->t[t].first = k;
    }
    double *scratch = malloc((size_t)l->nnodes * sizeof *scratch);
    int rc = scratch ? GX_OK : GX_ERUNTIME;
    for (size_t t = 0; rc == GX_OK && t < s->n; t++) {
        struct coll_table *x = &s->t[t];
        /* The columns: the patterns measured at the table's size, in the table's order. */
        int col_of[GX_MAX_PATTERNS] = {0};
        for (size_t i = 0; i < run->nkept; i++)
            if (in_table(&run->kept[i], x, l))
                col_of[run->kept[i].pattern] = 1;
        for (int p = 0; p < gx_pattern_count; p++)
            if (col_of[p]) {
                x->pats[x->npats] = p;
                col_of[p] = x->npats++;
            }
        size_t cells = (size_t)l->nnodes * (size_t)x->npats;
        x->cell = calloc(cells, sizeof *x->cell);
        x->mark = calloc(cells, 1);
        x->ratio = calloc(cells, sizeof *x->ratio);
        if (!x->cell || !x->mark || !x->ratio) {
            rc = GX_ERUNTIME;
            break;
        }
        for (size_t i = 0; i < run->nkept; i++) {
            const struct gx_kept *k = &run->kept[i];
            if (in_table(k, x, l))
                x->cell[l->node_of[k->a] * x->npats + col_of[k->pattern]] = k;
        }
        judge(x, l->nnodes, run->opts->g.slow_pair, scratch);
    }
    free(scratch);
    return rc == GX_OK ? GX_OK
                       : gx_fail(err, GX_ERUNTIME, "out of host memory for the collectives per "
                                 "node");
}

/* A node's row: one of its results (its ranks), or NULL where it measured none. */
static const struct gx_kept *row_first(const struct coll_table *x, int n)
{
    for (int c = 0; c < x->npats; c++)
        if (x->cell[n * x->npats + c])
            return x->cell[n * x->npats + c];
    return NULL;
}

/* "node 2 (host h3, ranks 4..5)". */
static void name_node(char *buf, size_t len, const struct gx_run *run, const struct gx_kept *k,
                      int node)
{
    snprintf(buf, len, "node %d (host %.60s, ranks %d..%d)", node,
             gx_host_of(run->context, k->a), k->a, k->b);
}

static int view_findings(const void *state, const struct gx_run *run, struct gx_health *h,
                         int nh, int max)
{
    const struct coll_nodes *s = state;
    for (size_t t = 0; t < s->n; t++) {
        const struct coll_table *x = &s->t[t];
        for (int n = 0; n < s->nnodes && nh < max; n++) {
            int worst = -1, nslow = 0;
            for (int c = 0; c < x->npats; c++)
                if (x->mark[n * x->npats + c] == GX_MATRIX_BELOW) {
                    nslow++;
                    if (worst < 0 || x->ratio[n * x->npats + c] < x->ratio[n * x->npats + worst])
                        worst = c;
                }
            if (worst < 0)
                continue;
            const struct gx_kept *k = x->cell[n * x->npats + worst];
            struct gx_health *f = gx_health_add(h, &nh, max, "slow-node", k->a);
            if (!f)
                break;
            char who[128], size[24];
            name_node(who, sizeof who, run, k, n);
            gx_format_size(k->size, size, sizeof size);
            snprintf(f->line, sizeof f->line, "%s slow in collectives: %s %s busbw at %.2f x the "
                     "other nodes' median (%d of %d collectives below %.2f x)%s", who,
                     gx_paths[k->path].name, gx_pattern_table[k->pattern]->name,
                     x->ratio[n * x->npats + worst], nslow, x->npats, run->opts->g.slow_pair,
                     k->noise ? "; the machine disturbed its median: rerun on a quiet node" : "");
            snprintf(f->evidence, sizeof f->evidence, "collectives per node, path %s, memory %s "
                     "-> %s, size %s: %s busbw %.6g GB/s, the other nodes' median %.6g GB/s",
                     gx_paths[k->path].name, gx_mem_name(k->src_kind), gx_mem_name(k->dst_kind),
                     size, gx_pattern_table[k->pattern]->name, k->median,
                     k->median / x->ratio[n * x->npats + worst]);
        }
    }
    return nh;
}

static int view_ngrids(const void *state, const struct gx_run *run)
{
    (void)run;
    return (int)((const struct coll_nodes *)state)->n;
}

/* The columns: the node's label, its ranks for the report, then per collective its busbw, and
 * for the report whether slow and whether disturbed. */
enum { C_NODE, C_HOST, C_RANKS, C_RANK_A, C_RANK_B, C_PATS };

static int view_grid(const void *state, const struct gx_run *run, int i, struct gx_grid *g,
                     struct gx_err *err)
{
    const struct coll_nodes *s = state;
    const struct coll_table *x = &s->t[i];
    int rows = 0, npats = x->npats;
    for (int n = 0; n < s->nnodes; n++)
        rows += row_first(x, n) != NULL;
    GX_TRY(gx_grid_init(g, NULL, C_PATS + 3 * npats, rows, err));
    struct gx_grid_col *col = g->own_cols;
    col[C_NODE] = (struct gx_grid_col){.key = "node", .head = "node", .lead = "  ", .width = 6,
                                       .label = 1};
    col[C_HOST] = (struct gx_grid_col){.key = "host", .head = "host", .lead = " ", .width = -16,
                                       .label = 1};
    col[C_RANKS] = (struct gx_grid_col){.head = "ranks", .lead = " ", .width = 8, .label = 1};
    col[C_RANK_A] = col[C_RANK_B] = (struct gx_grid_col){.key = "ranks[]"};
    const struct gx_kept *f = x->first;
    char size[24];
    gx_format_size(f->size, size, sizeof size);
    g->rows_key = "nodes";
    g->title = gx_grid_text(g, "\n# collectives per node: path %s, memory %s -> %s, size %s, "
                            "busbw GB/s (row: node, its host and ranks)\n",
                            gx_paths[f->path].name, gx_mem_name(f->src_kind),
                            gx_mem_name(f->dst_kind), size);
    gx_grid_fact(g, "path", gx_paths[f->path].name, 0);
    gx_grid_fact(g, "mem.src", gx_mem_name(f->src_kind), 0);
    gx_grid_fact(g, "mem.dst", gx_mem_name(f->dst_kind), 0);
    gx_grid_fact(g, "size", NULL, (double)f->size);
    gx_grid_fact(g, "unit", "GB/s", 0);
    for (int c = 0; c < npats; c++) {
        const char *name = gx_pattern_table[x->pats[c]]->name;
        int w = (int)strlen(name);
        col[C_PATS + c] = (struct gx_grid_col){.key = "values[]", .head = name, .lead = " ",
                                               .width = w > 9 ? w : 9, .form = GX_FORM_MEASURE};
        col[C_PATS + npats + c] = (struct gx_grid_col){.key = "slow[]"};
        col[C_PATS + 2 * npats + c] = (struct gx_grid_col){.key = "disturbed[]"};
        gx_grid_fact(g, "patterns[]", name, 0);
    }
    gx_grid_fact(g, "slow_ratio", NULL, run->opts->g.slow_pair);
    g->rows_at = g->nfacts;
    gx_grid_legend(g, GX_MATRIX_BELOW,
                   gx_grid_text(g, "# %c: below %.2f x the median of the other nodes' busbw of "
                                "that collective (--slow-pair; the # health lines name the "
                                "nodes)\n", GX_MATRIX_BELOW, run->opts->g.slow_pair));
    gx_grid_legend(g, GX_MATRIX_DISTURBED, GX_MATRIX_DISTURBED_LEGEND);
    if (s->nnodes < 3)
        g->footer = "# no node named slow on 2 nodes: either could be the slow one\n";
    for (int n = 0, r = 0; n < s->nnodes; n++) {
        const struct gx_kept *any = row_first(x, n);
        if (!any)
            continue;
        *gx_grid_at(g, r, C_NODE) = (struct gx_cell){.type = GX_CELL_INT, .v = n};
        *gx_grid_at(g, r, C_HOST) = (struct gx_cell){.type = GX_CELL_TEXT,
                                                     .s = gx_host_of(run->context, any->a)};
        *gx_grid_at(g, r, C_RANKS) = (struct gx_cell){
            GX_CELL_TEXT, .s = gx_grid_text(g, "%d..%d", any->a, any->b)};
        *gx_grid_at(g, r, C_RANK_A) = (struct gx_cell){.type = GX_CELL_INT, .v = any->a};
        *gx_grid_at(g, r, C_RANK_B) = (struct gx_cell){.type = GX_CELL_INT, .v = any->b};
        for (int c = 0; c < npats; c++) {
            const struct gx_kept *k = x->cell[n * npats + c];
            const char *name = gx_pattern_table[x->pats[c]]->name;
            char m = x->mark[n * npats + c];
            *gx_grid_at(g, r, C_PATS + c) =
                k ? (struct gx_cell){.type = GX_CELL_REAL, .mark = m, .v = k->median}
                  : (struct gx_cell){.type = GX_CELL_NULL};
            if (m == GX_MATRIX_BELOW)
                *gx_grid_at(g, r, C_PATS + npats + c) =
                    (struct gx_cell){.type = GX_CELL_TEXT, .s = name};
            if (k && k->noise)
                *gx_grid_at(g, r, C_PATS + 2 * npats + c) = (struct gx_cell){.type = GX_CELL_TEXT,
                                                                             .s = name};
        }
        r++;
    }
    return GX_OK;
}

const struct gx_view_ops gx_view_coll_nodes = {
    .name = "collective_nodes", .state_size = sizeof(struct coll_nodes), .make = view_make,
    .findings = view_findings, .ngrids = view_ngrids, .grid = view_grid, .free = coll_nodes_free,
};
