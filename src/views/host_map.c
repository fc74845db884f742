#include "config.h"
#include "grid.h"
#include "kept.h"
#include "view.h"
#include "sizes.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    enum gx_ceil_kind kind;
    const char *words;
} dirs[GX_HOST_DIRS] = {
    [GX_HOST_H2D] = {GX_CEIL_H2D, "host-to-device"},
    [GX_HOST_D2H] = {GX_CEIL_D2H, "device-to-host"},
};

/* Made when missing: rows stay by rank (the curves come by probe, then rank). */
static struct gx_host_row *row_of(struct gx_host_map *m, int rank, size_t *cap,
                                  struct gx_err *err)
{
    int i = 0;
    while (i < m->n && m->rows[i].rank < rank)
        i++;
    if (i < m->n && m->rows[i].rank == rank)
        return &m->rows[i];
    struct gx_host_row *grown = gx_grow(m->rows, cap, (size_t)m->n, 16, sizeof *grown);
    if (!grown) {
        gx_fail(err, GX_ERUNTIME, "out of host memory for the host links' map");
        return NULL;
    }
    m->rows = grown;
    memmove(&m->rows[i + 1], &m->rows[i], (size_t)(m->n - i) * sizeof *m->rows);
    m->n++;
    m->rows[i] = (struct gx_host_row){.rank = rank, .line_kind = -1,
                                      .absent = {GX_SID_NONE, GX_SID_NONE}};
    return &m->rows[i];
}

/* The GPU's host link, as a route from its memory to host memory gives it. */
static void line_of(struct gx_host_row *r, const struct gx_link_facts *f)
{
    snprintf(r->busid, sizeof r->busid, "%s", f->busid);
    struct gx_route route;
    gx_route_pair(f, f, 1, 0, 0, &route);
    if (route.line_gbs <= 0 || route.nhops < 1)
        return;
    r->line_gbs = route.line_gbs;
    r->line_kind = (int)route.hops[0].kind;
    snprintf(r->line_what, sizeof r->line_what, "%s", route.hops[0].what);
}

/* The curve's largest measured point, else why it is absent. */
static int point_of(struct gx_host_map *m, struct gx_host_row *r, int d,
                    const struct gx_ceilings *c, const struct gx_ceil_curve *k, struct gx_err *err)
{
    const struct gx_ceil_point *best = NULL;
    for (int i = 0; i < k->n; i++)
        if (k->pts[i].iters > 0 && (!best || k->pts[i].size > best->size))
            best = &k->pts[i];
    if (!best) {
        const char *why = k->absent != GX_SID_NONE ? gx_ceil_curve_absent(c, k)
                          : k->n > 0                ? gx_ceil_point_absent(c, &k->pts[0])
                                                    : "";
        r->absent[d] = gx_strpool_add_str(&m->texts, why[0] ? why : "not measured");
        return r->absent[d] != GX_SID_NONE
                   ? GX_OK
                   : gx_fail(err, GX_ERUNTIME, "out of host memory for the host links' map");
    }
    r->gbs[d] = best->median;
    r->noise[d] = best->noise.marks & GX_NOISE_DISTURBED;
    m->size = best->size > m->size ? best->size : m->size;
    return GX_OK;
}

static const char *absent_of(const struct gx_host_map *m, const struct gx_host_row *r, int d)
{
    const char *why = gx_strpool_get(&m->texts, r->absent[d], NULL);
    return why ? why : "not measured";
}

static int view_make(void *map, const struct gx_run *run, struct gx_err *err)
{
    struct gx_host_map *m = map;
    const struct gx_ceilings *c = run->ceilings;
    const struct gx_link_store *facts = run->context ? run->context->facts : NULL;
    *m = (struct gx_host_map){0};
    size_t cap = 0;
    for (int i = 0; c && i < c->n; i++) {
        const struct gx_ceil_curve *k = &c->curves[i];
        for (int d = 0; d < GX_HOST_DIRS; d++) {
            if (k->kind != (int)dirs[d].kind || k->b != -1)
                continue;
            struct gx_host_row *r = row_of(m, k->a, &cap, err);
            if (!r || point_of(m, r, d, c, k, err) != GX_OK) {
                gx_host_map_free(m);
                return err->rc;
            }
            struct gx_link_facts f;
            if (!r->busid[0] && gx_link_facts_of(facts, k->a, &f) == 0 && f.has_gpu)
                line_of(r, &f);
        }
    }
    return GX_OK;
}

void gx_host_map_free(void *map)
{
    struct gx_host_map *m = map;
    free(m->rows);
    gx_strpool_free(&m->texts);
    *m = (struct gx_host_map){0};
}

int gx_host_map_below(const struct gx_host_map *m, int i, int d, double *med, int *count)
{
    const struct gx_host_row *x = &m->rows[i];
    *med = 0;
    *count = 0;
    double *v = malloc((size_t)(m->n ? m->n : 1) * sizeof *v);
    if (!v)
        return 0;
    for (int j = 0; j < m->n; j++) {
        const struct gx_host_row *y = &m->rows[j];
        if (j != i && y->gbs[d] > 0 && y->line_gbs > 0 && y->line_kind == x->line_kind &&
            y->line_gbs == x->line_gbs)
            v[(*count)++] = y->gbs[d];
    }
    *med = gx_siblings_median(v, (size_t)*count);
    free(v);
    /* A disturbed median is not the link's number: no mark, no finding. */
    return x->gbs[d] > 0 && x->line_gbs > 0 && !x->noise[d] && *med > 0 &&
           x->gbs[d] < GX_BELOW_SIBLINGS * *med;
}

/* Its columns: the text's in order, the report's members among them in theirs. */
enum { C_RANK, C_GPU, C_BUS, C_LINE, C_LINK, C_WHAT, C_DIR,
       C_LINE_TEXT = C_DIR + 4 * GX_HOST_DIRS, C_SHARE_TEXT, C_COLS = C_SHARE_TEXT + GX_HOST_DIRS };
#define DIR_COLS(d, K, H, W)                                                                  \
    [C_DIR + 4 * (d)] = {K ".gbs", H, " ", 10, GX_FORM_MEASURE, 0, NULL, W},                    \
    [C_DIR + 4 * (d) + 1] = {.key = K ".line_share"},                                          \
    [C_DIR + 4 * (d) + 2] = {.key = K ".below_siblings"},                                      \
    [C_DIR + 4 * (d) + 3] = {.key = K ".disturbed"},                                           \
    [C_SHARE_TEXT + (d)] = {NULL, H " line%", " ", 10, GX_FORM_FIXED, 1, NULL, NULL}
static const struct gx_grid_col cols[C_COLS] = {
    [C_RANK] = {"rank", "rank", "  ", 5, GX_FORM_FIXED, 0, NULL, NULL},
    [C_GPU] = {NULL, "GPU", " ", 5, GX_FORM_FIXED, 0, "?", NULL},
    [C_BUS] = {"pci_bus_id", "bus id", "  ", -16, GX_FORM_FIXED, 0, "?", NULL},
    [C_LINE] = {.key = "line_gbs"},
    [C_LINK] = {.key = "line_link"},
    [C_WHAT] = {.key = "line_what"},
    DIR_COLS(GX_HOST_H2D, "host_to_device", "H2D", "host-to-device"),
    DIR_COLS(GX_HOST_D2H, "device_to_host", "D2H", "device-to-host"),
    [C_LINE_TEXT] = {NULL, "line GB/s", " ", 10, GX_FORM_FIXED, 1, NULL, NULL},
};

static void dir_cells(struct gx_grid *g, const struct gx_host_map *m, int i, int d)
{
    const struct gx_host_row *r = &m->rows[i];
    int c = C_DIR + 4 * d;
    if (r->gbs[d] <= 0) {
        gx_grid_put(g, i, c, GX_CELL_ABSENT, 0, absent_of(m, r, d));
        return;
    }
    double med;
    int count, below = gx_host_map_below(m, i, d, &med, &count);
    gx_grid_put(g, i, c, GX_CELL_REAL, r->gbs[d], NULL);
    gx_grid_at(g, i, c)->mark = r->noise[d] ? GX_MATRIX_DISTURBED : below ? GX_MATRIX_BELOW : 0;
    if (r->line_gbs > 0) {
        gx_grid_put(g, i, c + 1, GX_CELL_REAL, r->gbs[d] / r->line_gbs, NULL);
        gx_grid_put(g, i, C_SHARE_TEXT + d, GX_CELL_REAL, 100 * r->gbs[d] / r->line_gbs, NULL);
    }
    gx_grid_put(g, i, c + 2, GX_CELL_BOOL, below, NULL);
    gx_grid_put(g, i, c + 3, GX_CELL_BOOL, r->noise[d] != 0, NULL);
}

static int view_grid(const void *map, const struct gx_run *run, int n, struct gx_grid *g,
                     struct gx_err *err)
{
    (void)n;
    const struct gx_host_map *m = map;
    GX_TRY(gx_grid_init(g, cols, C_COLS, m->n, err));
    char size[24];
    gx_format_size(m->size, size, sizeof size);
    g->rows_key = "gpus";
    g->title = gx_grid_text(g, "\n# host links (run map-host): each GPU alone, one at a time, its "
                            "copy engine's cudaMemcpyAsync of %s between pinned host memory and "
                            "the GPU, median GB/s; line%%: of its host link's line rate\n", size);
    gx_grid_fact(g, "size", NULL, (double)m->size);
    gx_grid_fact(g, "unit", "GB/s", 0);
    gx_grid_fact(g, "method", "each GPU alone, one at a time: its copy engine's cudaMemcpyAsync "
                 "of the whole message between pinned host memory and the GPU (nvbandwidth's "
                 "host_to_device_memcpy_ce and device_to_host_memcpy_ce), the median of its "
                 "iterations", 0);
    gx_grid_legend(g, GX_MATRIX_BELOW,
                   gx_grid_text(g, "# %c: well below its siblings (under %.1f x the median of the "
                                "other GPUs' host links of the same kind at the same line rate: "
                                "the # health lines name them)\n", GX_MATRIX_BELOW,
                                GX_BELOW_SIBLINGS));
    gx_grid_legend(g, GX_MATRIX_DISTURBED, GX_MATRIX_DISTURBED_LEGEND);
    for (int i = 0; i < m->n; i++) {
        const struct gx_host_row *r = &m->rows[i];
        const struct gx_ctx_rank *rc = run ? gx_ctx_rank(run->context, r->rank) : NULL;
        g->labels[i] = gx_grid_text(g, "rank %d", r->rank);
        gx_grid_put(g, i, C_RANK, GX_CELL_INT, r->rank, NULL);
        if (rc && rc->has_gpu)
            gx_grid_put(g, i, C_GPU, GX_CELL_INT, rc->visible, NULL);
        if (r->busid[0])
            gx_grid_put(g, i, C_BUS, GX_CELL_TEXT, 0, r->busid);
        if (r->line_gbs > 0) {
            gx_grid_put(g, i, C_LINE, GX_CELL_REAL, r->line_gbs, NULL);
            gx_grid_put(g, i, C_LINK, GX_CELL_TEXT, 0, gx_link_kinds[r->line_kind].name);
            gx_grid_put(g, i, C_WHAT, GX_CELL_TEXT, 0, r->line_what);
            gx_grid_put(g, i, C_LINE_TEXT, GX_CELL_REAL, r->line_gbs, NULL);
        }
        for (int d = 0; d < GX_HOST_DIRS; d++)
            dir_cells(g, m, i, d);
    }
    return GX_OK;
}

static int view_findings(const void *map, const struct gx_run *run, struct gx_health *h, int nh,
                         int max)
{
    (void)run;
    const struct gx_host_map *m = map;
    for (int i = 0; i < m->n && nh < max; i++)
        for (int d = 0; d < GX_HOST_DIRS && nh < max; d++) {
            const struct gx_host_row *r = &m->rows[i];
            double med;
            int count;
            if (!gx_host_map_below(m, i, d, &med, &count))
                continue;
            struct gx_health *x = gx_health_add(h, &nh, max, "host-link-below-siblings", r->rank);
            char size[24];
            gx_format_size(m->size, size, sizeof size);
            snprintf(x->line, sizeof x->line, "rank %d's GPU %s: its host link's %s copy %.4g "
                     "GB/s at %s, well below its %d siblings' %.4g GB/s over the same %s links "
                     "at %.4g GB/s", r->rank, r->busid[0] ? r->busid : "?", dirs[d].words,
                     r->gbs[d], size, count, med, gx_link_kinds[r->line_kind].name,
                     r->line_gbs);
            snprintf(x->evidence, sizeof x->evidence, "median %.6g GB/s, the siblings' median "
                     "%.6g GB/s (%d GPUs), below %.2f of it", r->gbs[d], med, count,
                     GX_BELOW_SIBLINGS);
        }
    return nh;
}

const struct gx_view_ops gx_view_host_map = {
    .name = "host_links", .state_size = sizeof(struct gx_host_map), .make = view_make,
    .findings = view_findings, .grid = view_grid, .free = gx_host_map_free,
};
