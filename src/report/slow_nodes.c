/* The slow nodes of the layout matrices (layout_matrix.c): a node, NIC or rail that slows every
 * cell it is in, named in the report, the table and the findings. */
#include "report.h"
#include "slow_nodes.h"
#include "view.h"

#include "gx.h"
#include "path.h"
#include "pattern.h"
#include "scheme.h"
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rail r's cell s -> d of x; NAN where x has none. */
static double rail_cell(const struct gx_layout_matrix *x, int r, int s, int d)
{
    const struct gx_layout *l = x->l;
    if (s == d)
        return NAN;
    if (x->view == GX_VIEW_RAILS)
        return r == x->m ? x->val[s * x->cols + d] : NAN;
    return x->val[r * x->cols + s * (l->nnodes - 1) + (d < s ? d : d - 1)];
}

/* One side of a node on a rail: its cells, those slow, their median against the matrix's. */
struct node_side {
    int slow, of;
    double ratio;
};

struct slow_node {
    int rail, node, rank;
    struct node_side sends, receives;
};

/* More than half of its cells: a slow node, NIC or rail slows every cell it is in, while a
 * slow node pair or a disturbed round is one cell of each node in it. */
static int side_slow(const struct node_side *s) { return s->of > 1 && 2 * s->slow > s->of; }

/* Node n's side on rail r, without the cells of the nodes already named (their slowness
 * explains those cells). */
static struct node_side node_side(const struct gx_layout_matrix *x, int r, int n, int sends,
                                  double med, double limit, int lower_better, double *scratch,
                                  const char *named)
{
    struct node_side out = {0, 0, NAN};
    for (int o = 0; o < x->l->nnodes; o++) {
        double v = sends ? rail_cell(x, r, n, o) : rail_cell(x, r, o, n);
        if (isnan(v) || named[o])
            continue;
        scratch[out.of++] = v;
        out.slow += lower_better ? v > limit : v < limit;
    }
    if (out.of && med > 0)
        out.ratio = gx_sort_median(scratch, (size_t)out.of) / med;
    return out;
}

/* The nodes x names slow, into out (up to max); none with fewer than 3 nodes (of 2, either
 * could be the slow one). *med: the median. */
static int slow_nodes(const struct gx_layout_matrix *x, double slow, double *med,
                      struct slow_node *out, int max)
{
    const struct gx_layout *l = x->l;
    *med = NAN;
    if (x->view == GX_VIEW_NODE_LOCAL || l->nnodes < 3 || !(slow > 0))
        return 0;
    *med = gx_cells_median(x->val, (size_t)x->rows * (size_t)x->cols);
    int lower_better = gx_unit_lower_is_better(gx_pattern_table[x->first->pattern]->unit), n = 0;
    double limit = lower_better ? *med / slow : *med * slow;
    double *scratch = malloc((size_t)l->nnodes * sizeof *scratch);
    char *named = malloc((size_t)l->nnodes);
    int first = x->view == GX_VIEW_RAILS ? x->m : 0;
    int last = x->view == GX_VIEW_RAILS ? x->m : x->rows - 1;
    /* The slowest node first, then the others without its cells: a slow node's cells, with a
     * disturbed one beside them, would make others look slow too. */
    for (int r = first; scratch && named && r <= last && !isnan(*med); r++) {
        memset(named, 0, (size_t)l->nnodes);
        while (n < max) {
            struct slow_node pick = {.node = -1};
            double most = 0;
            for (int node = 0; node < l->nnodes; node++) {
                if (named[node])
                    continue;
                struct slow_node s = {
                    r, node, gx_layout_rank(l, node, r),
                    node_side(x, r, node, 1, *med, limit, lower_better, scratch, named),
                    node_side(x, r, node, 0, *med, limit, lower_better, scratch, named)};
                double share = 0;
                if (side_slow(&s.sends))
                    share = (double)s.sends.slow / s.sends.of;
                if (side_slow(&s.receives) && (double)s.receives.slow / s.receives.of > share)
                    share = (double)s.receives.slow / s.receives.of;
                if (share > most) {
                    most = share;
                    pick = s;
                }
            }
            if (pick.node < 0)
                break;
            named[pick.node] = 1;
            out[n++] = pick;
        }
    }
    free(scratch);
    free(named);
    return n;
}

/* slow_nodes in an array of the caller's (NULL: no memory). */
static struct slow_node *named_slow(const struct gx_layout_matrix *x, double slow, double *med,
                                    int *n)
{
    int cap = x->l->nnodes * (x->view == GX_VIEW_RAILS ? 1 : x->rows);
    struct slow_node *s = cap > 0 ? malloc((size_t)cap * sizeof *s) : NULL;
    *n = s ? slow_nodes(x, slow, med, s, cap) : 0;
    *med = s ? *med : NAN;
    return s;
}

static const char *slow_sides(const struct slow_node *s)
{
    return side_slow(&s->sends) && side_slow(&s->receives) ? "both"
           : side_slow(&s->sends)                          ? "sends"
                                                           : "receives";
}

/* "node 4 (host h5, rail 1, rank 9, NIC eth1)". */
static void name_node(char *buf, size_t len, const struct gx_context *context,
                      const struct slow_node *s)
{
    const struct gx_ctx_rank *rc = gx_ctx_rank(context, s->rank);
    const char *nic = rc ? gx_ctx_text(context, rc->nic_name) : "";
    snprintf(buf, len, "node %d (host %.60s, rail %d, rank %d%s%.40s)", s->node,
             gx_host_of(context, s->rank), s->rail, s->rank, nic[0] ? ", NIC " : "", nic);
}

/* "its sends and its receives at 0.03 and 0.04 x the median (...)", or one side's. */
static void slow_words(char *buf, size_t len, const struct slow_node *s, double slow,
                       int lower_better)
{
    const char *how = lower_better ? "above 1/" : "below ";
    if (side_slow(&s->sends) && side_slow(&s->receives))
        snprintf(buf, len, "its sends and its receives at %.2f and %.2f x the median (%d of %d "
                 "and %d of %d %s%.2f x)", s->sends.ratio, s->receives.ratio, s->sends.slow,
                 s->sends.of, s->receives.slow, s->receives.of, how, slow);
    else {
        const struct node_side *d = side_slow(&s->sends) ? &s->sends : &s->receives;
        int sends = d == &s->sends;
        snprintf(buf, len, "its %s at %.2f x the median (%d of %d %s%.2f x), its %s not (%.2f x)",
                 sends ? "sends" : "receives", d->ratio, d->slow, d->of, how, slow,
                 sends ? "receives" : "sends", sends ? s->receives.ratio : s->sends.ratio);
    }
}

static cJSON *side_json(const struct node_side *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "slow", side_slow(d));
    cJSON_AddNumberToObject(o, "slow_cells", d->slow);
    cJSON_AddNumberToObject(o, "cells", d->of);
    if (!isnan(d->ratio))
        cJSON_AddNumberToObject(o, "median_ratio", d->ratio);
    return o;
}

void gx_slow_nodes_json(cJSON *o, const struct gx_layout_matrix *x, const struct gx_run *run)
{
    const struct gx_layout *l = x->l;
    if (x->view == GX_VIEW_NODE_LOCAL || l->nnodes < 3 || !run || !run->opts)
        return;
    double med;
    int n;
    struct slow_node *s = named_slow(x, run->opts->g.slow_pair, &med, &n);
    cJSON *list = cJSON_AddArrayToObject(o, "slow_nodes");
    for (int i = 0; list && i < n; i++) {
        const struct gx_ctx_rank *rc = gx_ctx_rank(run->context, s[i].rank);
        const char *host = rc ? gx_ctx_text(run->context, rc->hostname) : "";
        const char *nic = rc ? gx_ctx_text(run->context, rc->nic_name) : "";
        cJSON *e = gx_json_append_object(list);
        if (!e)
            break;
        cJSON_AddNumberToObject(e, "rail", s[i].rail);
        cJSON_AddNumberToObject(e, "node", s[i].node);
        cJSON_AddNumberToObject(e, "rank", s[i].rank);
        if (host[0])
            cJSON_AddStringToObject(e, "host", host);
        if (nic[0])
            cJSON_AddStringToObject(e, "nic", nic);
        cJSON_AddStringToObject(e, "slow", slow_sides(&s[i]));
        cJSON_AddItemToObject(e, "sends", side_json(&s[i].sends));
        cJSON_AddItemToObject(e, "receives", side_json(&s[i].receives));
    }
    free(s);
}

void gx_slow_nodes_print(FILE *out, const struct gx_layout_matrix *x,
                         const struct gx_context *context, double slow)
{
    const struct gx_layout *l = x->l;
    if (x->view == GX_VIEW_NODE_LOCAL || l->nnodes < 3)
        return;
    double med;
    int n;
    struct slow_node *s = named_slow(x, slow, &med, &n);
    int lower_better = gx_unit_lower_is_better(gx_pattern_table[x->first->pattern]->unit);
    fprintf(out, "# slow nodes (more than half of a node's sends or of its receives on a rail "
            "%s %s%.2f x the median):%s\n", lower_better ? "above" : "below",
            lower_better ? "1/" : "", slow, !s ? " out of host memory to say" : n ? "" : " none");
    for (int i = 0; i < n; i++) {
        char who[176], how[200];
        name_node(who, sizeof who, context, &s[i]);
        slow_words(how, sizeof how, &s[i], slow, lower_better);
        fprintf(out, "#   SLOW %s: %s\n", who, how);
    }
    free(s);
}

/* Whether the set has the rail map of x's measurement: it holds the same cells. */
static int has_map_of(const struct gx_layout_matrix_set *set, const struct gx_layout_matrix *x)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->m[i].view == GX_VIEW_RAIL_MAP && set->m[i].first == x->first)
            return 1;
    return 0;
}

int gx_slow_nodes_findings(const void *state, const struct gx_run *run, struct gx_health *h,
                           int nh, int max)
{
    const struct gx_layout_matrix_set *set = state;
    double slow = run->opts->g.slow_pair;
    for (size_t i = 0; i < set->n && nh < max; i++) {
        const struct gx_layout_matrix *x = &set->m[i];
        if (x->view == GX_VIEW_NODE_LOCAL || x->l->nnodes < 3 ||
            (x->view == GX_VIEW_RAILS && has_map_of(set, x)))
            continue;
        double med;
        int n;
        struct slow_node *s = named_slow(x, slow, &med, &n);
        const struct gx_kept *r = x->first;
        const struct gx_pattern_ops *pat = gx_pattern_table[r->pattern];
        int lower_better = gx_unit_lower_is_better(pat->unit);
        for (int k = 0; k < n; k++) {
            struct gx_health *f = gx_health_add(h, &nh, max, "slow-node", s[k].rank);
            if (!f)
                break;
            char who[176], how[200];
            name_node(who, sizeof who, run->context, &s[k]);
            slow_words(how, sizeof how, &s[k], slow, lower_better);
            snprintf(f->line, sizeof f->line, "%s slow: %s", who, how);
            snprintf(f->evidence, sizeof f->evidence, "%s, path %s, pattern %s, size %.0f: "
                     "the median %.6g %s; sends %d of %d slow (%.4g x), receives %d of %d slow "
                     "(%.4g x), slow: %s%.2f x the median",
                     x->view == GX_VIEW_RAIL_MAP ? "rail map" : "rail's node matrix",
                     gx_paths[r->path].name, pat->name, (double)r->size, med, pat->unit,
                     s[k].sends.slow, s[k].sends.of, s[k].sends.ratio, s[k].receives.slow,
                     s[k].receives.of, s[k].receives.ratio, lower_better ? "above 1/" : "below ",
                     slow);
        }
        free(s);
    }
    return nh;
}

