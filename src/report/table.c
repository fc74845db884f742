#include "config.h"
#include "table.h"

#include "coll.h"
#include "scheme.h"
#include "sizes.h"
#include "wrap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK_KEY_MAX 256
#define BLOCK_NAME_MAX 512

struct gx_table_block {
    char key[BLOCK_KEY_MAX];
    char name[BLOCK_NAME_MAX];
    size_t first_step; /* blocks print in the plan's order */
    int coll, line_col, folds;
    const char *type; /* a collective's elements */
};

/* A pair's row is its line; a collective's the cells of its side (out-of-place or in-place). */
struct gx_table_row {
    size_t step, size;
    int a, b, block, in_place, partial, ok, mbs;
    size_t order;  /* its block's place, while sorting */
    size_t count, bytes; /* a collective's elements and bytes (its size rounded to them) */
    double busbw;
    char *text;
};

static int block_of(struct gx_table *t, const struct gx_result *r)
{
    const char *run = r->run_name ? r->run_name : "";
    char key[BLOCK_KEY_MAX];
    snprintf(key, sizeof key, "%s|%s|%s|%s|%s|%s|%s", run, r->path, r->src_mem, r->dst_mem,
             r->coll_ranks > 0 ? r->coll_op : r->pattern, r->via ? r->via : "",
             r->vary_value ? r->vary_value : "");
    for (size_t i = 0; i < t->nblocks; i++)
        if (strcmp(t->blocks[i].key, key) == 0) {
            if (r->step < t->blocks[i].first_step)
                t->blocks[i].first_step = r->step;
            return (int)i;
        }
    struct gx_table_block *b = gx_grow(t->blocks, &t->blocks_cap, t->nblocks, 16, sizeof *b);
    if (!b)
        return -1;
    t->blocks = b;
    b = &t->blocks[t->nblocks];
    *b = (struct gx_table_block){.first_step = r->step, .coll = r->coll_ranks > 0,
                                 .line_col = r->state == GX_STATE_OK && r->line_gbs > 0,
                                 .folds = gx_table_folds(t, r),
                                 .type = gx_coll_type(gx_coll_of(r->coll_op))};
    snprintf(b->key, sizeof b->key, "%s", key);
    char what[160];
    if (b->coll)
        snprintf(what, sizeof what, "%s over %d ranks, busbw = algbw x %.3g", r->coll_op,
                 r->coll_ranks, r->coll_factor); /* its type is a column */
    else
        snprintf(what, sizeof what, "pattern %s, %s", r->pattern, r->unit);
    /* --vary of a path, memory or communicator: the header says it already. */
    char vary[96] = "";
    if (r->vary_option && (strcmp(r->vary_option, "chunk") == 0 ||
                           strcmp(r->vary_option, "depth") == 0 ||
                           strcmp(r->vary_option, "window") == 0))
        snprintf(vary, sizeof vary, ", vary: %s %s", r->vary_option, r->vary_value);
    snprintf(b->name, sizeof b->name, "%s%spath %s%s%s%s, memory %s -> %s, %s%s", run,
             run[0] ? ": " : "", r->path, r->via ? " (via " : "", r->via ? r->via : "",
             r->via ? ")" : "", r->src_mem, r->dst_mem, what, vary);
    return (int)t->nblocks++;
}

int gx_table_folds(const struct gx_table *t, const struct gx_result *r)
{
    for (int i = 0; t->opts && i < t->opts->nruns; i++)
        if (r->run_name == t->opts->runs[i].name) { /* found by its name's address */
            const struct gx_scheme *s = gx_scheme_of(t->opts->runs[i].pairs);
            return s && (s->views & GX_VIEW_RANKS);
        }
    return 0;
}

void gx_table_init(struct gx_table *t, FILE *f, const struct gx_options *o)
{
    *t = (struct gx_table){.f = f, .wide = o->g.wide, .opts = o};
    t->mu_ready = pthread_mutex_init(&t->mu, NULL) == 0;
}

static uint64_t row_key(size_t step, int a, int b)
{
    return (uint64_t)step * 0x9E3779B97F4A7C15u ^ (uint64_t)(unsigned)a * 0xC2B2AE3D27D4EB4Fu ^
           (uint64_t)(unsigned)b * 0x165667B19E3779F9u;
}

static uint64_t row_hash(const void *rows, size_t i)
{
    const struct gx_table_row *w = (const struct gx_table_row *)rows + i;
    return row_key(w->step, w->a, w->b);
}

/* The row of (step, a, b), or -1. */
static long row_of(const struct gx_table *t, size_t step, int a, int b, uint64_t h)
{
    size_t i;
    for (long at = gx_slots_first(&t->index, h, &i); at >= 0;
         at = gx_slots_next(&t->index, at, &i))
        if (t->rows[i].step == step && t->rows[i].a == a && t->rows[i].b == b)
            return (long)i;
    return -1;
}

static int add_locked(struct gx_table *t, const struct gx_result *r)
{
    /* Measured rows of every pair are the matrices' cells; a failed one is told here. */
    if (gx_table_folds(t, r) && r->state == GX_STATE_OK && (!r->validated || r->valid)) {
        int b = block_of(t, r);
        return b < 0 ? -1 : 0;
    }
    uint64_t h = row_key(r->step, r->a, r->b);
    long old = row_of(t, r->step, r->a, r->b, h);
    int b = old >= 0 || gx_slots_reserve(&t->index, t->nrows, row_hash, t->rows) == 0
                ? block_of(t, r)
                : -1;
    char text[1024];
    struct gx_table_row w = {.step = r->step, .size = r->size, .a = r->a, .b = r->b, .block = b,
                             .in_place = r->coll_in_place, .partial = !r->last,
                             .ok = r->state == GX_STATE_OK, .busbw = r->stats.median};
    if (b < 0)
        return -1;
    const struct gx_table_block *k = &t->blocks[b];
    if (k->coll) {
        w.count = gx_coll_count(gx_coll_of(r->coll_op), r->coll_ranks, r->coll_bytes);
        w.bytes = r->coll_bytes;
        gx_table_coll_side(text, sizeof text, r);
    } else {
        w.mbs = gx_table_pair_line(text, sizeof text, t->wide, k->line_col, r);
    }
    char *copy = strdup(text);
    if (!copy)
        return -1;
    if (old >= 0) { /* the step's earlier visit */
        free(t->rows[old].text);
        w.text = copy;
        t->rows[old] = w;
        return 0;
    }
    struct gx_table_row *rows = gx_grow(t->rows, &t->rows_cap, t->nrows, 64, sizeof *rows);
    if (!rows) {
        free(copy);
        return -1;
    }
    t->rows = rows;
    w.text = copy;
    gx_slots_put(&t->index, h, t->nrows);
    t->rows[t->nrows++] = w;
    return 0;
}

void gx_table_add(struct gx_table *t, const struct gx_result *r)
{
    if (!t->f)
        return;
    if (t->mu_ready)
        pthread_mutex_lock(&t->mu);
    if (add_locked(t, r) != 0)
        fprintf(t->f, "# out of host memory: the row of %s %s %zu B is not in this table (the "
                "report has it)\n", r->path, r->pattern, r->size);
    if (t->mu_ready)
        pthread_mutex_unlock(&t->mu);
}

static int row_cmp(const void *p, const void *q)
{
    const struct gx_table_row *x = p, *y = q;
#define BY(f)                                                                                 \
    if (x->f != y->f)                                                                         \
        return x->f < y->f ? -1 : 1;
    BY(order) BY(size) BY(a) BY(b) BY(in_place)
#undef BY
    return 0;
}

static int block_cmp(const void *p, const void *q)
{
    const struct gx_table_block *const *x = p, *const *y = q;
    return ((*x)->first_step > (*y)->first_step) - ((*x)->first_step < (*y)->first_step);
}

/* A collective's rows, sorted: out-of-place and in-place of a size and group on one line; a
 * side not measured is "-", one that failed or was skipped a line of its own. */
static void coll_rows(FILE *f, const char *type, const struct gx_table_row *w, size_t n)
{
    int sides[2] = {0, 0}, nok = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sides[w[i].in_place != 0] = 1;
        nok += w[i].ok;
        sum += w[i].ok ? w[i].busbw : 0;
    }
    gx_table_coll_head(f, sides);
    for (size_t i = 0; i < n; i++) {
        const struct gx_table_row *x = &w[i], *y = i + 1 < n ? &w[i + 1] : NULL;
        int both = y && y->size == x->size && y->a == x->a && y->b == x->b && x->ok && y->ok;
        char group[32];
        snprintf(group, sizeof group, "%d..%d", x->a, x->b);
        fprintf(f, "%11zu %10zu %5s %6s", x->bytes, x->count, type, group);
        if (!x->ok) {
            fprintf(f, " %s\n", x->text);
            continue;
        }
        if (x->in_place && sides[0])
            fprintf(f, " %8s %7s %8s %5s", "-", "-", "-", "-");
        fputs(x->text, f);
        if (both)
            fputs(y->text, f);
        else if (!x->in_place && sides[1])
            fprintf(f, " %8s %7s %8s %5s", "-", "-", "-", "-");
        fputc('\n', f);
        i += (size_t)both;
    }
    if (nok)
        fprintf(f, "# avg bus bandwidth: %.2f GB/s (the mean busbw of the %d result%s above)\n",
                sum / nok, nok, nok == 1 ? "" : "s");
}

static void pair_rows(struct gx_table *t, const struct gx_table_block *k,
                      const struct gx_table_row *w, size_t n)
{
    gx_table_pair_head(t->f, t->wide, k->line_col);
    for (size_t i = 0; i < n; i++) {
        fprintf(t->f, "%s\n", w[i].text);
        if (w[i].mbs)
            gx_print_mbs_legend(t->f);
    }
}

/* Every-pair runs: their blocks named once; only their failed rows are printed. */
static void say_folded(struct gx_table *t, struct gx_table_block *const *order)
{
    int failed = 0;
    for (size_t i = 0; i < t->nrows; i++)
        failed |= t->blocks[t->rows[i].block].folds;
    for (size_t i = 0; i < t->nblocks; i++) {
        if (!order[i]->folds)
            continue;
        if (!t->fold_said++)
            gx_print_note(t->f, "\n# every pair measured: each pair's median in the pair "
                          "matrices below, its row (p5, p95, cv%%, ceiling, eff%%) in the "
                          "report's results and --format csv; failed rows here\n");
        gx_print_note(t->f, "#   %s\n", order[i]->name);
    }
    if (failed && !t->fold_failed++)
        gx_print_note(t->f, "# a pair failed: its path, pattern and size get no pair matrix (a "
                      "matrix needs every pair); the other pairs' rows are in the report's "
                      "results\n");
}

static void print_locked(struct gx_table *t)
{
    struct gx_table_block **order = malloc((t->nblocks ? t->nblocks : 1) * sizeof *order);
    size_t *place = malloc((t->nblocks ? t->nblocks : 1) * sizeof *place);
    if (!order || !place) {
        fprintf(t->f, "# out of host memory: the table's %zu rows are not printed (the report "
                "has them)\n", t->nrows);
        free(order);
        free(place);
        return;
    }
    for (size_t i = 0; i < t->nblocks; i++)
        order[i] = &t->blocks[i];
    qsort(order, t->nblocks, sizeof *order, block_cmp);
    for (size_t i = 0; i < t->nblocks; i++)
        place[order[i] - t->blocks] = i;
    say_folded(t, order);
    int partial = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        t->rows[i].order = place[t->rows[i].block];
        partial |= t->rows[i].partial;
    }
    if (t->nrows) /* none kept yet: no rows to sort (qsort wants them there) */
        qsort(t->rows, t->nrows, sizeof *t->rows, row_cmp);
    for (size_t from = 0, to; from < t->nrows; from = to) {
        for (to = from + 1; to < t->nrows && t->rows[to].block == t->rows[from].block; to++)
            ;
        const struct gx_table_block *k = &t->blocks[t->rows[from].block];
        fprintf(t->f, "\n# %s\n", k->name);
        if (k->coll)
            coll_rows(t->f, k->type, t->rows + from, to - from);
        else
            pair_rows(t, k, t->rows + from, to - from);
    }
    if (partial && !t->partial_said++)
        gx_print_note(t->f, "\n# < after iters or busbw: a partial result, the run ended before "
                      "its step's last visit (the report's stop.visits of visits_planned)\n");
    free(order);
    free(place);
}

void gx_table_print(struct gx_table *t)
{
    if (!t->f)
        return;
    if (t->mu_ready) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 2; /* the watchdog's print never waits on a main thread that stopped */
        if (pthread_mutex_timedlock(&t->mu, &until) != 0)
            return;
    }
    print_locked(t);
    for (size_t i = 0; i < t->nrows; i++)
        free(t->rows[i].text);
    t->nrows = t->nblocks = 0;
    gx_slots_free(&t->index);
    fflush(t->f);
    if (t->mu_ready)
        pthread_mutex_unlock(&t->mu);
}

void gx_table_free(struct gx_table *t)
{
    for (size_t i = 0; i < t->nrows; i++)
        free(t->rows[i].text);
    free(t->rows);
    free(t->blocks);
    gx_slots_free(&t->index);
    if (t->mu_ready)
        pthread_mutex_destroy(&t->mu);
    *t = (struct gx_table){0};
}
