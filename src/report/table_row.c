/* A result's cells in the table: the columns of result_fields.h for a pair, nccl-tests' for a
 * collective (table.c keeps and prints them). */
#include "config.h"
#include "table.h"

#include "report.h"
#include "coll.h"
#include "result_fields.h"
#include "sizes.h"

#include <stdarg.h>
#include <string.h>

/* A result's line in the table and its block's header: the columns of result_fields.h. */
enum { SHOWN_ALL, SHOWN_WIDE, SHOWN_LINE };
struct table_col {
    const char *head, *wide_head;
    int shown, width, width_line, width_wide;
};
#define COL_NOTAB
#define COL_TAB(pos, head, wide_head, shown, w, wl, ww, hook)                                 \
    [pos] = {head, wide_head, SHOWN_##shown, w, wl, ww},
#define COL_ROW(key, type, value, when, json, at, csv, tab) COL_##tab
static const struct table_col table_cols[] = {GX_RESULT_FIELDS(COL_ROW)};
#undef COL_ROW
enum { NTABLE_COLS = (int)GX_ARRAY_LEN(table_cols) };

static void cell_size(char *c, size_t len, int wide, const struct gx_result *r, long long size)
{
    (void)wide, (void)r;
    snprintf(c, len, "%lld", size);
}

static void cell_pair(char *c, size_t len, int wide, const struct gx_result *r, int none)
{
    (void)wide, (void)none;
    snprintf(c, len, r->coll_ranks > 0 ? "%d..%d" : "%d->%d", r->a, r->b);
}

static void cell_chunk(char *c, size_t len, int wide, const struct gx_result *r, long long chunk)
{
    if (!r->chunk)
        snprintf(c, len, "-");
    else if (wide)
        snprintf(c, len, "%lld", chunk);
    else
        gx_format_size((size_t)chunk, c, len);
}

static void cell_depth(char *c, size_t len, int wide, const struct gx_result *r, int depth)
{
    (void)wide;
    if (r->chunk)
        snprintf(c, len, "%d", depth);
    else
        snprintf(c, len, "-");
}

/* "<": a partial result, its step's last visit still to come when the run ended. */
static void cell_iters(char *c, size_t len, int wide, const struct gx_result *r, long iters)
{
    (void)wide;
    snprintf(c, len, "%ld%s", iters, r->last ? "" : "<");
}

static void cell_median(char *c, size_t len, int wide, const struct gx_result *r, double median)
{
    (void)wide;
    gx_format_in_unit(median, r->unit, c, len - 1);
    strcat(c, gx_noise_mark(r->noise.marks));
}

static void cell_value(char *c, size_t len, int wide, const struct gx_result *r, double v)
{
    (void)wide;
    gx_format_in_unit(v, r->unit, c, len);
}

/* "*": a cv made of a few interrupted iterations. */
static void cell_cv(char *c, size_t len, int wide, const struct gx_result *r, double cv)
{
    (void)wide;
    snprintf(c, len, 100.0 * cv < 999.95 ? "%.1f%s" : "%.0f%s", 100.0 * cv,
             r->noise.worst > 0 ? "*" : "");
}

static void cell_valid(char *c, size_t len, int wide, const struct gx_result *r,
                       const char *name)
{
    (void)wide, (void)name;
    if (!r->validated)
        snprintf(c, len, "-");
    else if (r->valid)
        snprintf(c, len, "ok");
    else
        snprintf(c, len, "FAILED@%lld", r->bad_offset);
}

/* "?" where the ceiling is no bound. */
static void cell_ceiling(char *c, size_t len, int wide, const struct gx_result *r,
                         double ceiling)
{
    (void)wide;
    if (r->ceiling_unsound)
        snprintf(c, len, "?");
    else if (ceiling > 0)
        gx_format_in_unit(ceiling, r->unit, c, len);
    else
        snprintf(c, len, "-");
}

/* "!": beyond every repeat of the ceiling; "=": above it within the median's interval. */
static void cell_efficiency(char *c, size_t len, int wide, const struct gx_result *r, double eff)
{
    (void)wide;
    if (r->ceiling_unsound)
        snprintf(c, len, "?");
    else if (r->ceiling > 0)
        snprintf(c, len, "%.1f%s", 100.0 * eff,
                 r->ceiling_exceeded ? "!" : r->ceiling_within ? "=" : "");
    else
        snprintf(c, len, "-");
}

/* "!" above the line rate, which no transfer can. */
static void cell_line(char *c, size_t len, int wide, const struct gx_result *r, double share)
{
    if (r->state == GX_STATE_OK && r->line_gbs > 0)
        snprintf(c, len, wide ? "%.1f%s" : "%.0f%s", 100.0 * share, r->line_exceeded ? "!" : "");
    else
        snprintf(c, len, "-");
}

/* Column pos's cell: CELL_TAB leaves its hook's call open for the row's value. */
static void cell(int pos, char *c, size_t len, int wide, const struct gx_result *r)
{
    switch (pos) {
#define CELL_NOTAB(value)
#define CELL_VALUE(value) value); break;
#define CELL_TAB(pos, head, wide_head, shown, w, wl, ww, hook)                                \
    case pos: cell_##hook(c, len, wide, r, CELL_VALUE
#define CELL_ROW(key, type, value, when, json, at, csv, tab) CELL_##tab(value)
        GX_RESULT_FIELDS(CELL_ROW)
#undef CELL_ROW
    default:
        c[0] = '\0';
    }
}

static int col_shown(int wide, int line, const struct table_col *k)
{
    return k->shown == SHOWN_ALL || (k->shown == SHOWN_WIDE && wide) ||
           (k->shown == SHOWN_LINE && line);
}

static int col_width(int wide, int line, const struct table_col *k)
{
    return wide ? k->width_wide : line ? k->width_line : k->width;
}

void gx_table_pair_head(FILE *t, int wide, int line)
{
    fputc('#', t); /* the first column's header is two narrower than its cells, under "# " */
    for (int i = 0; i < NTABLE_COLS; i++)
        if (col_shown(wide, line, &table_cols[i]))
            fprintf(t, " %*s", col_width(wide, line, &table_cols[i]),
                    wide ? table_cols[i].wide_head : table_cols[i].head);
    fputc('\n', t);
}

/* Appends to buf at *at, within len. */
static void put(char *buf, size_t len, size_t *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
    if (*at >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *at, len - *at, fmt, ap);
    va_end(ap);
    *at = n < 0 ? len : *at + (size_t)n;
}

int gx_table_pair_line(char *buf, size_t len, int wide, int line, const struct gx_result *r)
{
    int mbs = 0;
    char c[NTABLE_COLS][32];
    size_t at = 0;
    for (int i = 0; i < NTABLE_COLS; i++)
        cell(i, c[i], sizeof c[i], wide, r);
    if (r->state != GX_STATE_OK) { /* size, pair, chunk and depth as the narrow table's; why */
        put(buf, len, &at, "%*s %6s %6s %5s %s%s: %s", line && !wide ? 10 : 11, c[0], c[1],
            c[2], c[3], r->state == GX_STATE_SKIPPED ? "skipped" : "failed", r->last ? "" : "<",
            r->reason ? r->reason : "no reason given");
        return 0;
    }
    /* The columns in the block's unit: an M in one is MB/s. */
    static const int valued[] = {4, 5, 6, 7, 8, 12};
    for (size_t i = 0; i < GX_ARRAY_LEN(valued); i++)
        mbs |= col_shown(wide, line, &table_cols[valued[i]]) && strchr(c[valued[i]], 'M');
    for (int i = 0, first = 1; i < NTABLE_COLS; i++)
        if (col_shown(wide, line, &table_cols[i])) {
            put(buf, len, &at, first ? "%*s" : " %*s",
                col_width(wide, line, &table_cols[i]) + 2 * first, c[i]);
            first = 0;
        }
    return mbs;
}

/* As nccl-tests prints a time: fewer decimals as it grows. */
static void time_cell(char *c, size_t len, double us)
{
    snprintf(c, len, us >= 10000 ? "%.0f" : us >= 100 ? "%.1f" : "%.2f", us);
}

/* A collective's side: time (us), algbw, busbw (GB/s) and its check, or why none. */
void gx_table_coll_side(char *buf, size_t len, const struct gx_result *r)
{
    size_t at = 0;
    if (r->state != GX_STATE_OK) {
        put(buf, len, &at, "%s%s %s: %s", r->coll_in_place ? "in-place" : "out-of-place",
            r->last ? "" : " <", r->state == GX_STATE_SKIPPED ? "skipped" : "failed",
            r->reason ? r->reason : "no reason given");
        return;
    }
    double busbw = r->stats.median, algbw = busbw / r->coll_factor;
    char t[32], v[40], bus[40];
    time_cell(t, sizeof t, busbw > 0 ? (double)r->coll_bytes / algbw / 1e3 : 0);
    cell_valid(v, sizeof v, 0, r, NULL);
    /* No room for line%: a busbw above the ring's line rate is marked, as line% would be. */
    snprintf(bus, sizeof bus, "%.2f%s%s%s", busbw, r->line_exceeded ? "!" : "",
             gx_noise_mark(r->noise.marks), r->last ? "" : "<");
    put(buf, len, &at, " %8s %7.2f %8s %5s", t, algbw, bus, v);
}

/* The sides that ran, labelled over their columns, then the columns' names. */
void gx_table_coll_head(FILE *f, const int sides[2])
{
    static const char *const label[2] = {"--------- out-of-place --------",
                                         "---------- in-place -----------"};
    fprintf(f, "#%34s", "");
    for (int s = 0; s < 2; s++)
        if (sides[s])
            fprintf(f, " %s", label[s]);
    fprintf(f, "\n# %9s %10s %5s %6s", "size", "count", "type", "group");
    for (int s = 0; s < 2; s++)
        if (sides[s])
            fprintf(f, " %8s %7s %8s %5s", "time(us)", "algbw", "busbw", "valid");
    fputc('\n', f);
}

