#include "config.h"
#include "kept_cells.h"

#include "chunk.h"
#include "mem.h"
#include "path.h"
#include "pattern.h"

void gx_kept_cells(struct gx_grid *g, int row, int col, const struct gx_kept *k)
{
    const struct gx_pattern_ops *pat = gx_pattern_table[k->pattern];
    gx_grid_put(g, row, col, GX_CELL_TEXT, 0, gx_paths[k->path].name);
    gx_grid_put(g, row, col + 1, GX_CELL_TEXT, 0, pat->name);
    gx_grid_put(g, row, col + 2, GX_CELL_INT, (double)k->size, NULL);
    gx_grid_put(g, row, col + 3, GX_CELL_TEXT, 0, pat->unit);
    gx_grid_put(g, row, col + 4, GX_CELL_TEXT, 0, gx_mem_name(k->src_kind));
    gx_grid_put(g, row, col + 5, GX_CELL_TEXT, 0, gx_mem_name(k->dst_kind));
    if (gx_chunk_picked(k->chunk, k->chunk_choice)) {
        gx_grid_put(g, row, col + 6, GX_CELL_TEXT, 0, gx_chunk_choice_name(k->chunk_choice));
    } else if (k->chunk) {
        gx_grid_put(g, row, col + 7, GX_CELL_INT, (double)k->chunk, NULL);
        gx_grid_put(g, row, col + 8, GX_CELL_INT, k->depth, NULL);
    }
}
