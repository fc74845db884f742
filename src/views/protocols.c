/* Per result of the mpi path sent by rank 0, the protocols UCX chose for it (ucx_proto.h), flagged
 * where it reaches less than half of its ceiling while another path was faster. */
#include "config.h"
#include "grid.h"
#include "kept_cells.h"
#include "ucx_proto.h"
#include "view.h"

#include "path.h"
#include "pattern.h"

#include <string.h>

#define CHOSEN_MAX 8
#define CHOSEN {.key = "chosen[].operation"}, {.key = "chosen[].protocol"},                \
                  {.key = "chosen[].transports"}
enum { C_FLAG, C_PATTERN, C_MEM, C_SIZE, C_CHOSEN_TEXT, C_TAIL, C_KEPT, C_RANK = C_KEPT +
       GX_KEPT_NCOLS, C_PEER, C_CHOSEN, C_FASTER = C_CHOSEN + 3 * CHOSEN_MAX, C_FASTER_MEDIAN,
       C_EFFICIENCY, C_COLS };
static const struct gx_grid_col cols[C_COLS] = {
    {.head = "", .width = 1},
    {.head = "", .lead = " ", .width = -4, .whole = 1},
    {.head = "", .lead = " ", .width = -8, .whole = 1},
    {.head = "", .lead = " ", .width = 10},
    {.head = "", .lead = " ", .whole = 1},
    {.head = "", .none = "", .whole = 1},
    GX_KEPT_COLS(""),
    {.key = "rank"}, {.key = "peer"},
    CHOSEN, CHOSEN, CHOSEN, CHOSEN, CHOSEN, CHOSEN, CHOSEN, CHOSEN,
    {.key = "faster_route.path"}, {.key = "faster_route.median"}, {.key = "efficiency"},
};

static const char *ucx_mem(int kind)
{
    return kind == GX_MEM_DEVICE ? "cuda" : kind == GX_MEM_MANAGED ? "cuda-managed" : "host";
}

static int is_mpi(const struct gx_kept *k)
{
    return strcmp(gx_paths[k->path].name, "mpi") == 0 && k->a == 0 && k->state == GX_STATE_OK;
}

/* Another path's faster result at k's size, pattern and data location: gxtune.route_flags's
 * rule. */
static const struct gx_kept *faster_route(const struct gx_kept *k, const struct gx_kept *all,
                                          size_t n)
{
    if (gx_pattern_table[k->pattern]->lower_is_better || k->efficiency <= 0 ||
        k->efficiency >= 0.5)
        return NULL;
    const struct gx_kept *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct gx_kept *o = &all[i];
        if (o->path == k->path || o->state != GX_STATE_OK || o->size != k->size ||
            o->pattern != k->pattern || o->a != k->a || o->b != k->b ||
            gx_kept_data(o) != gx_kept_data(k))
            continue;
        if (o->median > k->median && (!best || o->median > best->median))
            best = o;
    }
    return best;
}

/* Row r: k, the rows of rank 0's tables that carry it, and a faster path's result. */
static void row_cells(struct gx_grid *g, int r, const struct gx_kept *k,
                      const struct gx_ucx_proto_row **got, size_t m, const struct gx_kept *f)
{
    char text[512] = "";
    size_t at = 0;
    for (size_t j = 0; j < m; j++) {
        gx_grid_put(g, r, C_CHOSEN + 3 * (int)j, GX_CELL_TEXT, 0, got[j]->op);
        gx_grid_put(g, r, C_CHOSEN + 3 * (int)j + 1, GX_CELL_TEXT, 0, got[j]->protocol);
        gx_grid_put(g, r, C_CHOSEN + 3 * (int)j + 2, GX_CELL_TEXT, 0, got[j]->transports);
        at += (size_t)snprintf(text + at, at < sizeof text ? sizeof text - at : 0, "%s%s%s%s",
                               j ? "; " : "", got[j]->protocol, got[j]->transports[0] ? " " : "",
                               got[j]->transports);
    }
    gx_grid_put(g, r, C_FLAG, GX_CELL_TEXT, 0, f ? "!" : " ");
    gx_grid_put(g, r, C_PATTERN, GX_CELL_TEXT, 0, gx_pattern_table[k->pattern]->name);
    gx_grid_put(g, r, C_MEM, GX_CELL_TEXT, 0, ucx_mem(k->src_kind));
    gx_grid_put(g, r, C_SIZE, GX_CELL_INT, (double)k->size, NULL);
    gx_grid_put(g, r, C_CHOSEN_TEXT, GX_CELL_TEXT, 0,
        m ? gx_grid_text(g, "%s", text) : "(no table of UCX's for this size and memory)");
    gx_kept_cells(g, r, C_KEPT, k);
    gx_grid_put(g, r, C_RANK, GX_CELL_INT, k->a, NULL);
    gx_grid_put(g, r, C_PEER, GX_CELL_INT, k->b, NULL);
    g->report_only[r] = gx_pattern_table[k->pattern]->lower_is_better;
    if (!f)
        return;
    gx_grid_put(g, r, C_TAIL, GX_CELL_TEXT, 0,
        gx_grid_text(g, "  [%.0f%% of its ceiling; %s %.4g GB/s against %.4g]",
                     100 * k->efficiency, gx_paths[f->path].name, f->median, k->median));
    gx_grid_put(g, r, C_FASTER, GX_CELL_TEXT, 0, gx_paths[f->path].name);
    gx_grid_put(g, r, C_FASTER_MEDIAN, GX_CELL_REAL, f->median, NULL);
    gx_grid_put(g, r, C_EFFICIENCY, GX_CELL_REAL, k->efficiency, NULL);
}

static int view_grid(const void *state, const struct gx_run *run, int i, struct gx_grid *g,
                     struct gx_err *err)
{
    (void)state, (void)i;
    const struct gx_ucx_proto *p = run->proto;
    int n = 0;
    for (size_t k = 0; k < run->nkept; k++)
        n += is_mpi(&run->kept[k]);
    if (gx_grid_init(g, cols, C_COLS, n, err) != GX_OK)
        return err->rc;
    g->title = "\n# UCX's protocol per mpi result (UCX_PROTO_INFO, rank 0's tables); ! where the "
               "result is under half its ceiling and another path was faster\n";
    for (size_t k = 0, r = 0; n && k < run->nkept; k++) {
        const struct gx_kept *x = &run->kept[k];
        if (!is_mpi(x))
            continue;
        const struct gx_ucx_proto_row *got[CHOSEN_MAX];
        /* Two ranks never talk over self, and each rank's table is of its own endpoints. */
        size_t m = gx_ucx_proto_find(p, x->same_node ? "intra-node" : "inter-node",
                                     ucx_mem(x->src_kind), x->size, got, CHOSEN_MAX);
        row_cells(g, (int)r++, x, got, m, faster_route(x, run->kept, run->nkept));
    }
    return GX_OK;
}

/* Where UCX wrote tables, an array of the mpi results even where there is none. */
static int ngrids(const void *state, const struct gx_run *run)
{
    (void)state;
    return run->proto && run->proto->n;
}

const struct gx_view_ops gx_view_protocols = {
    .name = "library_protocols", .ngrids = ngrids, .grid = view_grid,
};
