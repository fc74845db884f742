#include "grid.h"
#include "kept.h"
#include "report.h"
#include "wrap.h"
#include "view.h"

#include "gx.h"
#include "path.h"
#include "pattern.h"
#include "sizes.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int first_cmp(const void *p, const void *q)
{
    const struct gx_matrix_range *x = p, *y = q;
    return (x->first > y->first) - (x->first < y->first);
}

/* The table's order: a path's sizes one after another, whatever order their visits ran in. */
static int print_cmp(const void *p, const void *q)
{
    const struct gx_matrix_range *x = *(const struct gx_matrix_range *const *)p;
    const struct gx_matrix_range *y = *(const struct gx_matrix_range *const *)q;
    int c = gx_kept_key_cmp(x->first, y->first);
    return c ? c : first_cmp(x, y);
}

static int set_oom(struct gx_matrix_set *s, struct gx_err *err)
{
    gx_matrices_free(s);
    return gx_fail(err, GX_ERUNTIME, "out of host memory for the pair matrices");
}

static int view_make(void *set, const struct gx_run *run, struct gx_err *err)
{
    struct gx_matrix_set *s = set;
    const struct gx_kept *res = run->kept;
    size_t nres = run->nkept;
    int n = run->layout->nranks;
    *s = (struct gx_matrix_set){.nranks = n, .kept = res, .nkept = nres};
    if (n < 2 || nres == 0)
        return GX_OK;
    if (!(s->order = malloc(nres * sizeof *s->order)))
        return set_oom(s, err);
    size_t k = 0, cap = 0;
    for (size_t i = 0; i < nres; i++) {
        const struct gx_kept *r = &res[i];
        if (r->state == GX_STATE_OK && r->a >= 0 && r->b >= 0 && r->a < n && r->b < n &&
            r->a != r->b)
            s->order[k++] = r;
    }
    qsort(s->order, k, sizeof *s->order, gx_kept_pair_cmp);
    for (size_t from = 0, to; from < k; from = to) {
        const struct gx_kept *first = s->order[from];
        size_t pairs = 1;
        for (to = from + 1; to < k && gx_kept_key_cmp(s->order[to], s->order[from]) == 0; to++) {
            const struct gx_kept *r = s->order[to], *prev = s->order[to - 1];
            first = r < first ? r : first;
            pairs += r->a != prev->a || r->b != prev->b;
        }
        if (pairs != (size_t)n * (size_t)(n - 1))
            continue; /* only a complete map is a matrix; partial pair lists stay results */
        struct gx_matrix_range *m = gx_grow(s->m, &cap, (size_t)s->nm, 8, sizeof *m);
        if (!m)
            return set_oom(s, err);
        s->m = m;
        s->m[s->nm++] = (struct gx_matrix_range){from, to, first};
    }
    if (s->nm)
        qsort(s->m, (size_t)s->nm, sizeof *s->m, first_cmp);
    return GX_OK;
}

void gx_matrices_free(void *set)
{
    struct gx_matrix_set *s = set;
    free(s->order);
    free(s->m);
    *s = (struct gx_matrix_set){0};
}

/* Row a of matrix m into row (NAN where not measured) and its marks into mark (NULL: none),
 * from *at on; *at moves past it. A pair measured twice: its later result, as the report has. */
static void next_row(const struct gx_matrix_set *s, const struct gx_matrix_range *m, size_t *at,
                     int a, double *row, char *mark)
{
    for (int b = 0; b < s->nranks; b++)
        row[b] = NAN;
    for (; *at < m->to && s->order[*at]->a == a; ++*at) {
        const struct gx_kept *x = s->order[*at];
        row[x->b] = x->median;
        if (mark)
            mark[x->b] = x->noise                                         ? GX_MATRIX_DISTURBED
                         : gx_kept_below_siblings(s->kept, s->nkept, x) ? GX_MATRIX_BELOW
                                                                          : ' ';
    }
}

struct matrix_at {
    const struct gx_matrix_set *s;
    const struct gx_matrix_range *m;
};

static int fill_values(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    const struct matrix_at *c = ctx;
    int n = c->s->nranks, e = 0;
    double *row = malloc((size_t)n * sizeof *row);
    size_t at = c->m->from;
    for (int a = 0; a < n && row && !e; a++) {
        next_row(c->s, c->m, &at, a, row, NULL);
        cJSON *arr = cJSON_CreateArray();
        for (int b = 0; b < n && arr; b++) {
            cJSON *v = isnan(row[b]) ? cJSON_CreateNull() : cJSON_CreateNumber(row[b]);
            if (!v || !cJSON_AddItemToArray(arr, v)) {
                cJSON_Delete(v);
                cJSON_Delete(arr);
                arr = NULL;
            }
        }
        e = arr ? gx_stream_item(w, arr, NULL, NULL) : ENOMEM;
        cJSON_Delete(arr);
    }
    free(row);
    return row ? e : ENOMEM;
}

/* A matrix's JSON but its values: a slot, filled as the report is written. */
static cJSON *matrix_head(const struct gx_kept *r, int n)
{
    cJSON *m = cJSON_CreateObject(), *values = gx_stream_slot(0);
    if (!m || !values) {
        cJSON_Delete(m);
        cJSON_Delete(values);
        return NULL;
    }
    gx_kept_add_measurement(m, r);
    cJSON_AddNumberToObject(m, "ranks", n);
    cJSON_AddItemToObject(m, "values", values);
    return m;
}

/* The matrix's pairs that have the mark, as the list `key`, where it has any. */
static int add_cells(cJSON *m, const struct gx_matrix_set *s, const struct gx_matrix_range *r,
                     const char *key, char mark)
{
    cJSON *list = NULL;
    for (size_t k = r->from; k < r->to; k++) {
        const struct gx_kept *x = s->order[k];
        int has = mark == GX_MATRIX_DISTURBED ? x->noise != 0
                                              : gx_kept_below_siblings(s->kept, s->nkept, x);
        if (!has ||
            (k + 1 < r->to && s->order[k + 1]->a == x->a && s->order[k + 1]->b == x->b))
            continue; /* a pair measured twice: its later result, as the values have it */
        int ab[2] = {x->a, x->b};
        cJSON *pair = cJSON_CreateIntArray(ab, 2);
        if ((!list && (list = cJSON_AddArrayToObject(m, key)) == NULL) || !pair ||
            !cJSON_AddItemToArray(list, pair)) {
            cJSON_Delete(pair);
            return ENOMEM;
        }
    }
    return 0;
}

int gx_matrices_fill(struct gx_jstream *w, int slot, void *ctx)
{
    (void)slot;
    const struct gx_matrix_set *s = ctx;
    int e = 0;
    for (int i = 0; i < s->nm && !e; i++) {
        cJSON *m = matrix_head(s->m[i].first, s->nranks);
        if (m && (add_cells(m, s, &s->m[i], "below_siblings", GX_MATRIX_BELOW) != 0 ||
                  add_cells(m, s, &s->m[i], "disturbed", GX_MATRIX_DISTURBED) != 0)) {
            cJSON_Delete(m);
            m = NULL;
        }
        struct matrix_at c = {s, &s->m[i]};
        e = m ? gx_stream_item(w, m, fill_values, &c) : ENOMEM;
        cJSON_Delete(m);
    }
    return e;
}

/* "rank 3 (host node-b, GPU 1 0000:3b:00.0, NIC mlx5_1 pcie-switch)": the GPU and the NIC
 * where the context has them. */
static void describe_rank(char *buf, size_t len, const struct gx_context *context, int rank)
{
    const struct gx_ctx_rank *rc = gx_ctx_rank(context, rank);
    char gbuf[160] = "";
    if (rc && rc->has_gpu) {
        const char *bus = gx_ctx_text(context, rc->busid);
        snprintf(gbuf, sizeof gbuf, ", GPU %d%s%.120s", rc->visible, bus[0] ? " " : "", bus);
    }
    char nbuf[200] = "";
    if (rc && gx_ctx_text(context, rc->nic_name)[0])
        snprintf(nbuf, sizeof nbuf, ", NIC %.60s%s%.60s%s", gx_ctx_text(context, rc->nic_name),
                 gx_ctx_text(context, rc->nic_place)[0] ? " " : "",
                 gx_ctx_text(context, rc->nic_place), rc->nic_flagged ? "!" : "");
    snprintf(buf, len, "rank %d (host %.100s%s%s)", rank,
             rc ? gx_ctx_text(context, rc->hostname) : "?", gbuf, nbuf);
}

/* ---------------------------------------------------------- one printer for every matrix */

double gx_cells_median(const double *val, size_t cells)
{
    size_t k = 0;
    double *all = malloc((cells ? cells : 1) * sizeof *all), med = NAN;
    for (size_t i = 0; all && i < cells; i++)
        if (!isnan(val[i]))
            all[k++] = val[i];
    if (all && k)
        med = gx_sort_median(all, k);
    free(all);
    return med;
}

int gx_matrix_print_cell(FILE *out, int width, double v, char mark, int gbs)
{
    char cell[64];
    int below = mark == GX_MATRIX_BELOW || mark == GX_MATRIX_DISTURBED;
    int in_mbs = gx_grid_measure(cell, sizeof cell, width, v, below ? mark : ' ', gbs);
    fprintf(out, " %s", cell);
    return in_mbs;
}

/* A row's label and a cell's width: a slice holds what fits GX_TABLE_COLUMNS. */
#define MATRIX_LABEL_COLUMNS 7
#define MATRIX_CELL_COLUMNS 10

void gx_matrix_print_rows(FILE *out, const struct gx_matrix_grid *g)
{
    int per = (GX_TABLE_COLUMNS - MATRIX_LABEL_COLUMNS) / MATRIX_CELL_COLUMNS;
    for (int from = 0; from < g->cols || from == 0; from += per) {
        int to = from + per < g->cols ? from + per : g->cols;
        fprintf(out, "#      ");
        for (int b = from; b < to; b++)
            fprintf(out, " %9d", b);
        fputc('\n', out);
        for (int a = 0; a < g->rows; a++) {
            fprintf(out, "  %5d", a);
            for (int b = from; b < to; b++)
                gx_matrix_print_cell(out, 9, g->val[a * g->cols + b], g->mark[a * g->cols + b],
                                     g->gbs);
            fputc('\n', out);
        }
        if (to >= g->cols)
            break;
    }
}

#define SLOW_LINES 10

void gx_matrix_print_tail(FILE *out, const struct gx_matrix_grid *g,
                          const struct gx_context *context, const char *unit, double slow,
                          const char *slow_what, const char *median_what)
{
    size_t cells = (size_t)g->rows * (size_t)g->cols;
    double med = gx_cells_median(g->val, cells);
    int below = 0, disturbed = 0, in_mbs = 0;
    for (size_t i = 0; i < cells; i++)
        if (!isnan(g->val[i])) {
            in_mbs |= g->gbs && g->val[i] > 0 && g->val[i] < GX_GBS_AS_MBS;
            below |= g->mark[i] == GX_MATRIX_BELOW;
            disturbed |= g->mark[i] == GX_MATRIX_DISTURBED;
        }
    int said = g->legends_said ? *g->legends_said : 0;
    if (g->legends_said)
        *g->legends_said |= (below ? 1 : 0) | (disturbed ? 2 : 0);
    if (below && !(said & 1))
        fprintf(out, "# %c: well below its siblings (under 0.8 x the median of the other pairs "
                "over the same kind of link at the same line rate: the # health lines name "
                "them)\n", GX_MATRIX_BELOW);
    if (disturbed && !(said & 2))
        fputs(GX_MATRIX_DISTURBED_LEGEND, out);
    if (in_mbs)
        gx_print_mbs_legend(out);
    int lower_better = gx_unit_lower_is_better(unit);
    double limit = lower_better ? med / slow : med * slow;
    char lim[48], mid[48];
    gx_format_gbs_words(limit, lim, sizeof lim);
    gx_format_gbs_words(med, mid, sizeof mid);
    if (!g->gbs) {
        snprintf(lim, sizeof lim, "%.3f %s", limit, unit);
        snprintf(mid, sizeof mid, "%.3f", med);
    } else if (!strcmp(strrchr(mid, ' '), strrchr(lim, ' ')))
        *strrchr(mid, ' ') = '\0'; /* the median's unit is the limit's, said there */
    fprintf(out, "# slow %s (%s %s = %s%.2f x the %s %s):", slow_what,
            lower_better ? "above" : "below", lim, lower_better ? "1/" : "", slow,
            median_what, mid);
    size_t *slow_at = malloc((cells ? cells : 1) * sizeof *slow_at), nslow = 0;
    for (size_t i = 0; slow_at && i < cells; i++)
        if (!isnan(g->val[i]) && (lower_better ? g->val[i] > limit : g->val[i] < limit))
            slow_at[nslow++] = i;
    if (!slow_at) {
        fputs(" (out of host memory to list them: the report has every value)\n", out);
        return;
    }
    size_t most = g->most_slow ? g->most_slow : nslow;
    size_t shown = nslow > most ? most : nslow;
    for (size_t line = 0; nslow > most && line < shown; line++) {
        size_t worst = line;
        for (size_t j = line + 1; j < nslow; j++) {
            double v = g->val[slow_at[j]], w = g->val[slow_at[worst]];
            if (lower_better ? v > w : v < w)
                worst = j;
        }
        size_t t = slow_at[line];
        slow_at[line] = slow_at[worst];
        slow_at[worst] = t;
    }
    if (nslow)
        fputc('\n', out);
    for (size_t line = 0; line < shown; line++) {
        size_t at = slow_at[line];
        int a = (int)(at / (size_t)g->cols), b = (int)(at % (size_t)g->cols);
        double v = g->val[at];
        int ra, rb;
        char where[64], da[300], db[300];
        g->cell(g->cell_ctx, a, b, &ra, &rb, where, sizeof where);
        describe_rank(da, sizeof da, context, ra);
        describe_rank(db, sizeof db, context, rb);
        char val[48];
        if (g->gbs)
            gx_format_gbs_words(v, val, sizeof val);
        else
            snprintf(val, sizeof val, "%.3f %s", v, unit);
        char *unit_at = strrchr(val, ' '); /* the ~ goes between the value and its unit */
        *unit_at = '\0';
        gx_print_note(out, "#   SLOW %s %s%s %s (%.2f x median): %s -> %s\n", where, val,
                      g->mark[at] == GX_MATRIX_DISTURBED ? "~" : "", unit_at + 1,
                      med ? v / med : 0, da, db);
    }
    if (nslow > shown)
        fprintf(out, "#   ... %zu more, each in the matrix above (the %zu slowest are listed)\n",
                nslow - shown, shown);
    if (!nslow)
        fputs(" none\n", out);
    free(slow_at);
}

static void pair_cell(const void *ctx, int a, int b, int *ra, int *rb, char *where, size_t len)
{
    (void)ctx;
    *ra = a;
    *rb = b;
    snprintf(where, len, "%d->%d", a, b);
}

/* val and mark hold nranks^2 cells. */
static void print_matrix(FILE *out, const struct gx_matrix_set *s, const struct gx_matrix_range *m,
                         const struct gx_context *context, double slow, double *val, char *mark,
                         int *legends_said)
{
    const struct gx_kept *r = m->first;
    const struct gx_pattern_ops *pat = gx_pattern_table[r->pattern];
    int n = s->nranks;
    size_t at = m->from;
    memset(mark, ' ', (size_t)n * (size_t)n);
    for (int a = 0; a < n; a++)
        next_row(s, m, &at, a, val + (size_t)a * (size_t)n, mark + (size_t)a * (size_t)n);
    gx_print_note(out, "\n# pair matrix: path %s, pattern %s, size %.0f, %s (row: "
                  "initiator/sender, column: peer/receiver)\n", gx_paths[r->path].name,
                  pat->name, (double)r->size, pat->unit);
    struct gx_matrix_grid g = {n,          n,           val, mark, pair_cell, NULL, legends_said,
                               SLOW_LINES, gx_unit_is_gbs(pat->unit)};
    gx_matrix_print_rows(out, &g);
    gx_matrix_print_tail(out, &g, context, pat->unit, slow, "pairs", "matrix median");
}

static void view_print(FILE *out, const void *state, const struct gx_run *run)
{
    const struct gx_matrix_set *s = state;
    const struct gx_context *context = run->context;
    double slow = run->opts->g.slow_pair;
    size_t n = (size_t)s->nranks;
    double *val = s->nm ? malloc(n * n * sizeof *val) : NULL;
    char *mark = val ? malloc(n * n) : NULL;
    const struct gx_matrix_range **order = s->nm ? malloc((size_t)s->nm * sizeof *order) : NULL;
    for (int i = 0; order && i < s->nm; i++)
        order[i] = &s->m[i];
    if (order)
        qsort(order, (size_t)s->nm, sizeof *order, print_cmp);
    int legends_said = 0;
    for (int i = 0; i < s->nm && mark && order; i++)
        print_matrix(out, s, order[i], context, slow, val, mark, &legends_said);
    int printed = mark && order;
    free(order);
    if (s->nm && !printed)
        fprintf(out, "\n# pair matrices: out of host memory to print them (they are in the "
                     "report)\n");
    free(mark);
    free(val);
    fflush(out);
}

static int view_fill(struct gx_report *rep, void *state, struct gx_run *run, struct gx_err *err)
{
    (void)run;
    struct gx_matrix_set *s = state;
    return s->nm > 0 ? gx_report_set_streamed(rep, "matrices", gx_matrices_fill, s, err) : GX_OK;
}

const struct gx_view_ops gx_view_matrices = {
    .name = "matrices", .state_size = sizeof(struct gx_matrix_set), .make = view_make,
    .fill_report = view_fill, .print = view_print, .free = gx_matrices_free,
};
