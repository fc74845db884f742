#include "config.h"
#include "grid.h"
#include "gx.h"

#include <stdarg.h>
#include <stdlib.h>

int gx_grid_init(struct gx_grid *g, const struct gx_grid_col *cols, int ncols, int nrows,
                 struct gx_err *err)
{
    *g = (struct gx_grid){.cols = cols, .ncols = ncols, .nrows = nrows};
    size_t cells = (size_t)ncols * (size_t)(nrows > 0 ? nrows : 1);
    g->cells = calloc(cells, sizeof *g->cells);
    g->labels = calloc((size_t)(nrows > 0 ? nrows : 1), sizeof *g->labels);
    g->report_only = calloc((size_t)(nrows > 0 ? nrows : 1), 1);
    if (!cols)
        g->cols = g->own_cols = calloc((size_t)(ncols > 0 ? ncols : 1), sizeof *g->own_cols);
    if (!g->cells || !g->labels || !g->report_only || !g->cols) {
        gx_grid_free(g);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for a view's %d rows", nrows);
    }
    return GX_OK;
}

struct gx_cell *gx_grid_at(struct gx_grid *g, int row, int col)
{
    return &g->cells[(size_t)row * (size_t)g->ncols + (size_t)col];
}

void gx_grid_put(struct gx_grid *g, int row, int col, enum gx_cell_type type, double v,
                 const char *s)
{
    *gx_grid_at(g, row, col) = (struct gx_cell){.type = type, .v = v, .s = s};
}

const char *gx_grid_text(struct gx_grid *g, const char *fmt, ...)
{
    char **grown = realloc(g->kept, (g->nkept + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    g->kept = grown;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return g->kept[g->nkept++] = s;
}

void gx_grid_fact(struct gx_grid *g, const char *key, const char *s, double v)
{
    if (g->nfacts < GX_GRID_FACTS)
        g->facts[g->nfacts++] = (struct gx_grid_fact){key, s, v};
}

void gx_grid_legend(struct gx_grid *g, char mark, const char *text)
{
    if (g->nlegends < GX_GRID_LEGENDS && text) {
        g->legends[g->nlegends].mark = mark;
        g->legends[g->nlegends++].text = text;
    }
}

void gx_grid_free(struct gx_grid *g)
{
    for (size_t i = 0; i < g->nkept; i++)
        free(g->kept[i]);
    free(g->kept);
    free(g->cells);
    free(g->labels);
    free(g->report_only);
    free(g->own_cols);
    *g = (struct gx_grid){0};
}
