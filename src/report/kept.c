#include "kept.h"

#include "mem.h"

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
        .median = ok ? r->stats.median : 0,
        .efficiency = ok && r->ceiling > 0 ? r->efficiency : 0,
    };
}

int gx_kept_same_way(const struct gx_kept *x, const struct gx_kept *y)
{
    return x->path == y->path && x->src_kind == y->src_kind && x->dst_kind == y->dst_kind &&
           x->chunk == y->chunk && x->depth == y->depth;
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
