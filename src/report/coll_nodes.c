/* Collectives per node (--pairs node on several nodes): each node's group beside the other
 * nodes' at the largest size measured, one table per path and memory kinds, a node below
 * --slow-pair x the others' median named. Rank 0. */
#include "kept.h"
#include "view.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "sizes.h"
#include "stats.h"
#include "wrap.h"

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

static cJSON *view_json(const void *state, const struct gx_run *run)
{
    const struct coll_nodes *s = state;
    if (s->n == 0)
        return NULL;
    cJSON *all = cJSON_CreateArray();
    for (size_t t = 0; all && t < s->n; t++) {
        const struct coll_table *x = &s->t[t];
        cJSON *o = gx_json_append_object(all);
        if (!o)
            break;
        cJSON_AddStringToObject(o, "path", gx_paths[x->first->path].name);
        gx_kept_add_mem(o, x->first);
        cJSON_AddNumberToObject(o, "size", (double)x->first->size);
        cJSON_AddStringToObject(o, "unit", "GB/s");
        cJSON *pats = cJSON_AddArrayToObject(o, "patterns");
        for (int c = 0; pats && c < x->npats; c++)
            cJSON_AddItemToArray(pats, cJSON_CreateString(gx_pattern_table[x->pats[c]]->name));
        cJSON_AddNumberToObject(o, "slow_ratio", run->opts->g.slow_pair);
        cJSON *nodes = cJSON_AddArrayToObject(o, "nodes");
        for (int n = 0; nodes && n < s->nnodes; n++) {
            const struct gx_kept *any = row_first(x, n);
            if (!any)
                continue;
            cJSON *row = gx_json_append_object(nodes);
            if (!row)
                break;
            cJSON_AddNumberToObject(row, "node", n);
            cJSON_AddStringToObject(row, "host", gx_host_of(run->context, any->a));
            cJSON *ranks = cJSON_AddArrayToObject(row, "ranks");
            cJSON_AddItemToArray(ranks, cJSON_CreateNumber(any->a));
            cJSON_AddItemToArray(ranks, cJSON_CreateNumber(any->b));
            cJSON *vals = cJSON_AddArrayToObject(row, "values");
            cJSON *slow = cJSON_CreateArray(), *disturbed = cJSON_CreateArray();
            for (int c = 0; c < x->npats; c++) {
                const struct gx_kept *k = x->cell[n * x->npats + c];
                cJSON_AddItemToArray(vals, k ? cJSON_CreateNumber(k->median) : cJSON_CreateNull());
                const char *name = gx_pattern_table[x->pats[c]]->name;
                if (x->mark[n * x->npats + c] == GX_MATRIX_BELOW)
                    cJSON_AddItemToArray(slow, cJSON_CreateString(name));
                if (k && k->noise)
                    cJSON_AddItemToArray(disturbed, cJSON_CreateString(name));
            }
            cJSON_AddItemToObject(row, "slow", slow);
            cJSON_AddItemToObject(row, "disturbed", disturbed);
        }
    }
    return all;
}

/* A row's label (node, host, ranks) and the widest a column may be. */
#define LABEL_COLUMNS 34

static void print_table(FILE *out, const struct coll_table *x, const struct coll_nodes *s,
                        const struct gx_run *run)
{
    char size[24];
    gx_format_size(x->first->size, size, sizeof size);
    gx_print_note(out, "\n# collectives per node: path %s, memory %s -> %s, size %s, busbw GB/s "
                  "(row: node, its host and ranks)\n", gx_paths[x->first->path].name,
            gx_mem_name(x->first->src_kind), gx_mem_name(x->first->dst_kind), size);
    int width[GX_MAX_PATTERNS], in_mbs = 0, below = 0, disturbed = 0;
    for (int c = 0; c < x->npats; c++) {
        int w = (int)strlen(gx_pattern_table[x->pats[c]]->name);
        width[c] = w > 9 ? w : 9;
    }
    for (int from = 0; from < x->npats;) {
        int to = from, used = LABEL_COLUMNS;
        while (to < x->npats && (to == from || used + width[to] + 1 <= GX_TABLE_COLUMNS))
            used += width[to++] + 1;
        fprintf(out, "# %6s %-16.16s %8s", "node", "host", "ranks");
        for (int c = from; c < to; c++)
            fprintf(out, " %*s", width[c], gx_pattern_table[x->pats[c]]->name);
        fputc('\n', out);
        for (int n = 0; n < s->nnodes; n++) {
            const struct gx_kept *any = row_first(x, n);
            if (!any)
                continue;
            char ranks[24];
            snprintf(ranks, sizeof ranks, "%d..%d", any->a, any->b);
            fprintf(out, "  %6d %-16.16s %8s", n, gx_host_of(run->context, any->a), ranks);
            for (int c = from; c < to; c++) {
                const struct gx_kept *k = x->cell[n * x->npats + c];
                char m = x->mark[n * x->npats + c];
                in_mbs |= gx_matrix_print_cell(out, width[c], k ? k->median : NAN, m, 1);
                below |= m == GX_MATRIX_BELOW;
                disturbed |= m == GX_MATRIX_DISTURBED;
            }
            fputc('\n', out);
        }
        from = to;
    }
    if (below)
        gx_print_note(out, "# %c: below %.2f x the median of the other nodes' busbw of that "
                      "collective (--slow-pair; the # health lines name the nodes)\n",
                      GX_MATRIX_BELOW, run->opts->g.slow_pair);
    if (disturbed)
        fputs(GX_MATRIX_DISTURBED_LEGEND, out);
    if (in_mbs)
        gx_print_mbs_legend(out);
    if (s->nnodes < 3)
        fprintf(out, "# no node named slow on 2 nodes: either could be the slow one\n");
}

static void view_print(FILE *out, const void *state, const struct gx_run *run)
{
    const struct coll_nodes *s = state;
    for (size_t t = 0; t < s->n; t++)
        print_table(out, &s->t[t], s, run);
}

const struct gx_view_ops gx_view_coll_nodes = {
    .name = "collective_nodes", .state_size = sizeof(struct coll_nodes), .make = view_make,
    .findings = view_findings, .json = view_json, .print = view_print, .free = coll_nodes_free,
};
