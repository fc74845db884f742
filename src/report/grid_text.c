/* The one text renderer of a view's grid: a note above, a header line, a row a line with its
 * absent cells' notes below it, in slices of its columns where wider than the page (each with the
 * label columns) and a row's second line where it has one, then the legends of the marks its cells
 * carry, the MB/s legend where a bandwidth printed in MB/s, and a note below. */
#include "config.h"
#include "grid.h"
#include "sizes.h"
#include "wrap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int gx_grid_measure(char *cell, size_t len, int width, double v, char mark, int gbs)
{
    char text[32];
    int in_mbs = gbs && !isnan(v) && gx_format_gbs(v, text, sizeof text);
    if (isnan(v))
        snprintf(text, sizeof text, "-");
    else if (!in_mbs) { /* fewer decimals where a value is large: it keeps within its cell */
        int dec = 3;
        while (snprintf(text, sizeof text, "%.*f", dec, v) > width - 1 && dec > 0)
            dec--;
        if ((int)strlen(text) > width - 1)
            snprintf(text, sizeof text, "%.2g", v);
    }
    if (!isnan(v) && mark && mark != ' ')
        snprintf(cell, len, "%*s%c", width - 1, text, mark);
    else
        snprintf(cell, len, "%*s", width, text);
    return in_mbs;
}

/* The cell's text in its column's width; 1 where a bandwidth printed in MB/s. */
static int cell_text(const struct gx_grid_col *c, const struct gx_cell *x, char *cell,
                     size_t len)
{
    int w = abs(c->width), in_mbs = 0;
    int value = x->type != GX_CELL_NONE && x->type != GX_CELL_NULL;
    char v[256];
    switch (value ? x->type : GX_CELL_NONE) {
    case GX_CELL_INT:
        if (c->form == GX_FORM_SIZE)
            gx_format_size((size_t)x->v, v, sizeof v);
        else
            snprintf(v, sizeof v, "%.0f", x->v);
        break;
    case GX_CELL_REAL:
        if (c->form == GX_FORM_MEASURE)
            return gx_grid_measure(cell, len, w, x->v, x->mark, 1);
        if (c->form == GX_FORM_GBS)
            in_mbs = gx_format_gbs(x->v, v, sizeof v);
        else if (c->form == GX_FORM_PERCENT)
            snprintf(v, sizeof v, "%.0f%%", 100 * x->v);
        else
            snprintf(v, sizeof v, "%.*f", c->prec, x->v);
        break;
    case GX_CELL_TEXT:
        snprintf(v, sizeof v, "%s", x->s ? x->s : "");
        break;
    case GX_CELL_BOOL:
        snprintf(v, sizeof v, "%s", x->v != 0 ? "yes" : "no");
        break;
    default: /* no value: the mark alone, where it has one */
        snprintf(v, sizeof v, "%s", c->none ? c->none : "-");
        if (x->mark && x->mark != ' ' && x->type != GX_CELL_ABSENT)
            snprintf(v, sizeof v, "%c", x->mark);
    }
    int marked = value && x->mark && x->mark != ' ';
    int cut = c->whole ? (int)sizeof v : w - marked;
    if (c->width < 0)
        snprintf(cell, len, marked ? "%-*.*s%c" : "%-*.*s", w - marked, cut, v, x->mark);
    else
        snprintf(cell, len, marked ? "%*s%c" : "%*s", w - marked, v, x->mark);
    return in_mbs;
}

static int has_mark(const struct gx_grid *g, char mark)
{
    for (size_t i = 0; i < (size_t)g->nrows * (size_t)g->ncols; i++)
        if (g->cells[i].mark == mark && g->cells[i].type != GX_CELL_NONE)
            return 1;
    return 0;
}

static int col_width(const struct gx_grid_col *k)
{
    return k->second ? 0 : (int)strlen(k->lead ? k->lead : "") + abs(k->width);
}

/* Whether column c is in the slice [from, to) or a label, on the row's first line (line 0) or its
 * second (1). */
static int shown(const struct gx_grid_col *k, int c, int from, int to, int line)
{
    return k->head && (k->label || (c >= from && c < to)) && !k->second == !line;
}

/* The row's second line, where one of its cells is: blank to the column it starts under. */
static int print_second(FILE *out, const struct gx_grid *g, const struct gx_cell *row, int from,
                        int to)
{
    int under = -1, at = 0, in_mbs = 0;
    for (int c = 0; c < g->ncols; c++)
        if (shown(&g->cols[c], c, from, to, 1) && row[c].type != GX_CELL_NONE)
            under = g->cols[c].second - 1;
    for (int c = 0; c < under; c++)
        if (shown(&g->cols[c], c, from, to, 0))
            at += col_width(&g->cols[c]);
    if (under < 0)
        return 0;
    fprintf(out, "%*s", at, "");
    for (int c = 0; c < g->ncols; c++)
        if (shown(&g->cols[c], c, from, to, 1)) {
            char cell[256];
            in_mbs |= cell_text(&g->cols[c], &row[c], cell, sizeof cell);
            fprintf(out, "%s%s", g->cols[c].lead ? g->cols[c].lead : "", cell);
        }
    fputc('\n', out);
    return in_mbs;
}

/* The slice of columns [from, to) beside the label columns: header, rows, absent notes. */
static int print_slice(FILE *out, const struct gx_grid *g, int from, int to)
{
    char line[1024], cell[256];
    size_t at = 0;
    int in_mbs = 0;
    for (int c = 0; c < g->ncols && at < sizeof line; c++) {
        const struct gx_grid_col *k = &g->cols[c];
        if (shown(k, c, from, to, 0))
            at += (size_t)snprintf(line + at, sizeof line - at, k->width < 0 ? "%s%-*s" : "%s%*s",
                                   k->lead ? k->lead : "", abs(k->width), k->head);
    }
    if (at > 0)
        line[0] = '#';
    if (strspn(line, "# ") < at || at == 0)
        fprintf(out, "%s\n", line);
    for (int r = 0; r < g->nrows; r++) {
        const struct gx_cell *row = &g->cells[(size_t)r * (size_t)g->ncols];
        if (g->report_only[r])
            continue;
        for (int c = 0; c < g->ncols; c++)
            if (shown(&g->cols[c], c, from, to, 0)) {
                in_mbs |= cell_text(&g->cols[c], &row[c], cell, sizeof cell);
                fprintf(out, "%s%s", g->cols[c].lead ? g->cols[c].lead : "", cell);
            }
        fputc('\n', out);
        in_mbs |= print_second(out, g, row, from, to);
        for (int c = from; c < to; c++)
            if (row[c].type == GX_CELL_ABSENT && g->cols[c].words)
                gx_print_note(out, "#   %s %s: absent: %s\n", g->labels[r] ? g->labels[r] : "",
                              g->cols[c].words, row[c].s ? row[c].s : "not measured");
    }
    return in_mbs;
}

void gx_grid_print(FILE *out, const struct gx_grid *g)
{
    if (g->ncols == 0) { /* facts alone: the notes */
        if (g->title)
            gx_print_note(out, "%s", g->title);
        if (g->footer)
            gx_print_note(out, "%s", g->footer);
        return;
    }
    if (g->nrows == 0)
        return;
    if (g->title)
        gx_print_note(out, "%s", g->title);
    int labels = 0, in_mbs = 0;
    for (int c = 0; c < g->ncols; c++)
        if (g->cols[c].head && g->cols[c].label)
            labels += col_width(&g->cols[c]);
    for (int from = 0, took = 1; from < g->ncols && took;) {
        int to = from, used = labels;
        took = 0;
        for (; to < g->ncols; to++) {
            const struct gx_grid_col *k = &g->cols[to];
            if (!k->head || k->label)
                continue;
            if (labels && took && used + col_width(k) > GX_TABLE_COLUMNS)
                break;
            used += col_width(k);
            took++;
        }
        if (took || from == 0)
            in_mbs |= print_slice(out, g, from, to);
        from = to;
    }
    for (int i = 0; i < g->nlegends; i++)
        if (has_mark(g, g->legends[i].mark))
            gx_print_note(out, "%s", g->legends[i].text);
    if (in_mbs)
        gx_print_mbs_legend(out);
    if (g->footer)
        gx_print_note(out, "%s", g->footer);
    fflush(out);
}
