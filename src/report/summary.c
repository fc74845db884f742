/* The report's "summary": per (path, memory kinds, pattern, run name, size class) how many
 * results and the spread of their medians. Nothing merges memory kinds or runs. */
#include "config.h"
#include "report.h"

#include "sizes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Made when new; NULL when out of memory. The rows are few: a scan is enough. */
static struct gx_summary_row *row_of(struct gx_summary *s, const struct gx_result *r)
{
    const char *cls = gx_size_class_name(gx_size_class(r->size));
    const char *run = r->run_name ? r->run_name : "";
    for (size_t i = 0; i < s->n; i++) {
        struct gx_summary_row *w = &s->rows[i];
        if (w->size_class == cls && same(w->path, r->path) && same(w->src, r->src_mem) &&
            same(w->dst, r->dst_mem) && same(w->pattern, r->pattern) && same(w->run, run))
            return w;
    }
    struct gx_summary_row *g = gx_grow(s->rows, &s->cap, s->n, 8, sizeof *g);
    if (!g)
        return NULL;
    s->rows = g;
    char *run_copy = strdup(run);
    if (!run_copy)
        return NULL;
    g = &s->rows[s->n++];
    *g = (struct gx_summary_row){.size_class = cls, .path = r->path, .src = r->src_mem,
                                 .dst = r->dst_mem, .pattern = r->pattern, .run = run_copy,
                                 .unit = r->unit, .min = r->stats.median,
                                 .max = r->stats.median};
    return g;
}

int gx_summary_add(struct gx_summary *s, const struct gx_result *r)
{
    if (r->state != GX_STATE_OK)
        return 0;
    struct gx_summary_row *w = row_of(s, r);
    if (!w)
        return -1;
    double med = r->stats.median;
    w->n++;
    w->min = fmin(w->min, med);
    w->max = fmax(w->max, med);
    w->mean += (med - w->mean) / (double)w->n;
    return 0;
}

cJSON *gx_summary_json(const struct gx_summary *s)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < s->n; i++) {
        const struct gx_summary_row *w = &s->rows[i];
        cJSON *row = cJSON_CreateObject();
        if (!row) {
            cJSON_Delete(a);
            return NULL;
        }
        cJSON_AddStringToObject(row, "size_class", w->size_class);
        cJSON_AddStringToObject(row, "path", w->path);
        cJSON_AddStringToObject(row, "src_mem", w->src);
        cJSON_AddStringToObject(row, "dst_mem", w->dst);
        cJSON_AddStringToObject(row, "pattern", w->pattern);
        if (w->run[0])
            cJSON_AddStringToObject(row, "run", w->run);
        cJSON_AddStringToObject(row, "unit", w->unit);
        cJSON_AddNumberToObject(row, "results", (double)w->n);
        cJSON_AddNumberToObject(row, "median_min", w->min);
        cJSON_AddNumberToObject(row, "median_max", w->max);
        cJSON_AddNumberToObject(row, "median_mean", w->mean);
        cJSON_AddItemToArray(a, row);
    }
    return a;
}

void gx_summary_free(struct gx_summary *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->rows[i].run);
    free(s->rows);
    memset(s, 0, sizeof *s);
}
