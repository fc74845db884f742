#include "kept.h"
#include "report.h"

#include "mem.h"
#include "options.h"
#include "path.h"
#include "pattern.h"

struct gx_kept gx_kept_of(const struct gx_result *r)
{
    int ok = r->state == GX_STATE_OK;
    return (struct gx_kept){
        .path = r->path_kind,
        .src_kind = r->src_kind,
        .dst_kind = r->dst_kind,
        .pattern = r->pattern_kind,
        .a = r->a,
        .b = r->b,
        .same_node = r->same_node,
        .state = r->state,
        .size = r->size,
        .chunk = r->chunk,
        .depth = r->chunk ? r->depth : 0,
        .chunk_choice = r->chunk ? r->chunk_choice : GX_CHUNK_GIVEN,
        .median = ok ? r->stats.median : 0,
        .efficiency = ok && r->ceiling > 0 ? r->efficiency : 0,
        .exceeded = ok && r->ceiling_exceeded,
        .within = ok && r->ceiling_within,
        .unsound = ok && r->ceiling_unsound,
        .noise = ok ? r->noise.marks : 0,
        .ceiling = ok && r->ceiling > 0 ? r->ceiling : 0,
        .ceiling_kind = ok && r->ceiling > 0 ? r->ceiling_range.kind : -1,
        .line_gbs = ok ? r->line_gbs : 0,
        .line_share = ok ? r->line_share : 0,
        .line_kind = ok && r->line_gbs > 0 ? r->line_kind : -1,
    };
}

int gx_kept_same_way(const struct gx_kept *x, const struct gx_kept *y)
{
    return x->path == y->path && x->src_kind == y->src_kind && x->dst_kind == y->dst_kind &&
           x->chunk == y->chunk && x->depth == y->depth;
}

static int cmp_z(size_t x, size_t y)
{
    return (x > y) - (x < y);
}

/* Picked per pair among candidates, not given. */
static int chunk_chosen(const struct gx_kept *k)
{
    return gx_chunk_picked(k->chunk, k->chunk_choice);
}

int gx_kept_key_cmp(const struct gx_kept *x, const struct gx_kept *y)
{
    int c = cmp_z((size_t)x->path, (size_t)y->path);
    if (!c)
        c = cmp_z((size_t)x->src_kind, (size_t)y->src_kind);
    if (!c)
        c = cmp_z((size_t)x->dst_kind, (size_t)y->dst_kind);
    if (!c)
        c = cmp_z((size_t)chunk_chosen(x), (size_t)chunk_chosen(y));
    if (!c && chunk_chosen(x))
        c = cmp_z((size_t)x->chunk_choice, (size_t)y->chunk_choice);
    if (!c && !chunk_chosen(x))
        c = cmp_z(x->chunk, y->chunk);
    if (!c && !chunk_chosen(x))
        c = cmp_z((size_t)x->depth, (size_t)y->depth);
    if (!c)
        c = cmp_z((size_t)x->pattern, (size_t)y->pattern);
    return c ? c : cmp_z(x->size, y->size);
}

int gx_kept_pair_cmp(const void *p, const void *q)
{
    const struct gx_kept *x = *(const struct gx_kept *const *)p;
    const struct gx_kept *y = *(const struct gx_kept *const *)q;
    int c = gx_kept_key_cmp(x, y);
    if (!c)
        c = cmp_z((size_t)x->a, (size_t)y->a);
    if (!c)
        c = cmp_z((size_t)x->b, (size_t)y->b);
    return c ? c : (x > y) - (x < y);
}

void gx_kept_add_measurement(cJSON *o, const struct gx_kept *k)
{
    const struct gx_pattern_ops *pat = gx_pattern_table[k->pattern];
    cJSON_AddStringToObject(o, "path", gx_paths[k->path].name);
    cJSON_AddStringToObject(o, "pattern", pat->name);
    cJSON_AddNumberToObject(o, "size", (double)k->size);
    cJSON_AddStringToObject(o, "unit", pat->unit);
    gx_kept_add_mem(o, k);
    gx_chunk_key_json(o, k->chunk, k->depth, k->chunk_choice);
}

void gx_kept_add_mem(cJSON *o, const struct gx_kept *k)
{
    cJSON *m = cJSON_AddObjectToObject(o, "mem");
    cJSON_AddStringToObject(m, "src", gx_mem_name(k->src_kind));
    cJSON_AddStringToObject(m, "dst", gx_mem_name(k->dst_kind));
}

void gx_kept_add_chunk(cJSON *o, const struct gx_kept *k)
{
    if (k->chunk > 0) {
        cJSON_AddNumberToObject(o, "chunk", (double)k->chunk);
        cJSON_AddNumberToObject(o, "depth", k->depth);
    }
}

enum gx_data gx_kept_data(const struct gx_kept *k)
{
    int src = gx_mem_on_gpu(k->src_kind), dst = gx_mem_on_gpu(k->dst_kind);
    return src && dst ? GX_DATA_GPU : !src && !dst ? GX_DATA_HOST : GX_DATA_MIXED;
}
