#include "config.h"
#include "kept_cells.h"

#include "chunk.h"
#include "mem.h"
#include "path.h"
#include "pattern.h"

static void text(struct gx_grid *g, int row, int col, const char *s)
{
    *gx_grid_at(g, row, col) = (struct gx_cell){.type = GX_CELL_TEXT, .s = s};
}

static void num(struct gx_grid *g, int row, int col, double v)
{
    *gx_grid_at(g, row, col) = (struct gx_cell){.type = GX_CELL_INT, .v = v};
}

void gx_kept_cells(struct gx_grid *g, int row, int col, const struct gx_kept *k)
{
    const struct gx_pattern_ops *pat = gx_pattern_table[k->pattern];
    text(g, row, col, gx_paths[k->path].name);
    text(g, row, col + 1, pat->name);
    num(g, row, col + 2, (double)k->size);
    text(g, row, col + 3, pat->unit);
    text(g, row, col + 4, gx_mem_name(k->src_kind));
    text(g, row, col + 5, gx_mem_name(k->dst_kind));
    if (gx_chunk_picked(k->chunk, k->chunk_choice)) {
        text(g, row, col + 6, gx_chunk_choice_name(k->chunk_choice));
    } else if (k->chunk) {
        num(g, row, col + 7, (double)k->chunk);
        num(g, row, col + 8, k->depth);
    }
}
