/* Constructed kept results for the transfer plan and matrix tests: one row per result, paths by name. */
#ifndef GX_TEST_KEPT_ROWS_H
#define GX_TEST_KEPT_ROWS_H

#include "kept.h"
#include "report.h"
#include "options.h"
#include "path.h"
#include "view.h"

#define G ((size_t)1 << 30)
#define M ((size_t)1 << 20)
#define OK GX_STATE_OK
#define FAILED GX_STATE_FAILED

struct kept_row {
    const char *path;
    int src, dst, pattern, a, b, same_node;
    size_t size, chunk;
    int depth;
    enum gx_state state;
    double median, efficiency;
};

/* The n rows as kept results into out: 0, or -1 when a row names no known path. */
static int kept_from_rows(const struct kept_row *rows, size_t n, struct gx_kept *out)
{
    for (size_t i = 0; i < n; i++) {
        const struct kept_row *r = &rows[i];
        out[i] = (struct gx_kept){
            .path = gx_path_lookup(r->path), .src_kind = r->src, .dst_kind = r->dst,
            .pattern = r->pattern, .a = r->a, .b = r->b, .same_node = r->same_node,
            .state = r->state, .size = r->size, .chunk = r->chunk, .depth = r->depth,
            .chunk_choice = GX_CHUNK_GIVEN, .median = r->median, .efficiency = r->efficiency,
        };
        if (out[i].path < 0)
            return -1;
    }
    return 0;
}

/* 1 when item prints (unformatted) as want; else says what it printed. */
static int prints_as(const cJSON *item, const char *want)
{
    char *got = item ? cJSON_PrintUnformatted(item) : NULL;
    int same = got && strcmp(got, want) == 0;
    if (!same)
        printf("# got:  %s\n# want: %s\n", got ? got : "(null)", want);
    cJSON_free(got);
    return same;
}

/* The transfer plan's report member, as the run's end draws it. */
static inline cJSON *plan_json(const struct gx_transfer_plan *p)
{
    cJSON *j = NULL;
    struct gx_err err = {0};
    gx_view_draw(&gx_view_transfer_plan, p, NULL, NULL, &j, &err);
    return j;
}

#endif
