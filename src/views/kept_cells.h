/* What names a kept result's measurement in a view's grid: the report's "path", "pattern",
 * "size", "unit", "mem" and its chunking, as columns the JSON alone shows. */
#ifndef GX_KEPT_CELLS_H
#define GX_KEPT_CELLS_H

#include "grid.h"
#include "kept.h"

#define GX_KEPT_COLS(prefix)                                                                  \
    {.key = prefix "path"}, {.key = prefix "pattern"}, {.key = prefix "size"},                \
    {.key = prefix "unit"}, {.key = prefix "mem.src"}, {.key = prefix "mem.dst"},             \
    {.key = prefix "chunk_choice"}, {.key = prefix "chunk"}, {.key = prefix "depth"}
enum { GX_KEPT_NCOLS = 9 };

/* k's measurement into row's GX_KEPT_NCOLS cells from column col. */
void gx_kept_cells(struct gx_grid *g, int row, int col, const struct gx_kept *k);

#endif
