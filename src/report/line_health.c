/* Health findings from the results against their routes' line rates: a result above the line
 * rate (the route or a rate is wrong); a ceiling below its link kind's usual share (a degraded
 * link that the ceiling alone would hide); a pair well below its siblings. One finding per
 * measurement: its largest size. */
#include "kept.h"
#include "report.h"
#include "view.h"

#include "ceiling.h"
#include "mem.h"
#include "options.h"
#include "path.h"
#include "pattern.h"
#include "stats.h"
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The usual shares are what large messages reach; smaller ones pay per-message costs. */
#define GX_USUAL_SHARE_FROM ((size_t)16 << 20)

static int above_line(const struct gx_kept *kept, size_t n, const struct gx_kept *k)
{
    (void)kept, (void)n;
    return k->state == GX_STATE_OK && k->line_gbs > 0 && k->line_share > 1.0;
}

/* Whether a ceiling of kind `ceil` measures the link itself: one set by another layer (MPI's
 * host copy, the SMs on mapped memory) stays far below a healthy link's usual share
 * (docs/line-rates.md). */
static int ceiling_measures_link(int ceil, int link)
{
    switch (link) {
    case GX_LINK_PCIE:
        return ceil == GX_CEIL_COPY || ceil == GX_CEIL_COPY_BIDIR;
    case GX_LINK_NVLINK:
        return ceil == GX_CEIL_PEER || ceil == GX_CEIL_PEER_BIDIR;
    default: /* no probe crosses a NIC or C2C on its own */
        return 0;
    }
}

static int ceiling_low(const struct gx_kept *kept, size_t n, const struct gx_kept *k)
{
    (void)kept, (void)n;
    /* A chunked path's ceiling is measured at its chunk, whose own costs it pays. */
    size_t at = k->chunk > 0 && k->chunk < k->size ? k->chunk : k->size;
    if (k->state != GX_STATE_OK || k->line_gbs <= 0 || k->ceiling <= 0 || k->line_kind < 0 ||
        k->line_kind >= GX_LINK_KINDS || at < GX_USUAL_SHARE_FROM ||
        gx_pattern_table[k->pattern]->lower_is_better ||
        !ceiling_measures_link(k->ceiling_kind, k->line_kind))
        return 0;
    double usual = gx_link_kinds[k->line_kind].usual_share;
    return usual > 0 && k->ceiling / k->line_gbs < usual;
}

static int siblings(const struct gx_kept *x, const struct gx_kept *y)
{
    return x != y && x->path == y->path && x->src_kind == y->src_kind &&
           x->dst_kind == y->dst_kind && x->pattern == y->pattern && x->size == y->size &&
           y->state == GX_STATE_OK && y->line_gbs > 0 && x->line_kind == y->line_kind &&
           x->line_gbs == y->line_gbs && (x->a != y->a || x->b != y->b);
}

double gx_siblings_median(double *v, size_t n)
{
    return n < GX_SIBLINGS_MIN ? 0 : gx_sort_median(v, n);
}

/* The median of k's siblings' medians (0 with too few, or no memory); *count: how many. Every
 * sibling counts: the first few would be a biased sample. */
static double siblings_median(const struct gx_kept *kept, size_t nk, const struct gx_kept *k,
                              int *count)
{
    size_t n = 0;
    for (size_t j = 0; j < nk; j++)
        n += siblings(k, &kept[j]) != 0;
    *count = (int)n;
    if (n < GX_SIBLINGS_MIN)
        return 0;
    double *m = malloc(n * sizeof *m);
    if (!m)
        return 0;
    n = 0;
    for (size_t j = 0; j < nk; j++)
        if (siblings(k, &kept[j]))
            m[n++] = kept[j].median;
    double med = gx_siblings_median(m, n);
    free(m);
    return med;
}

int gx_kept_below_siblings(const struct gx_kept *kept, size_t n, const struct gx_kept *k)
{
    int count;
    /* A disturbed median is not the link's: no finding on it (it still counts as a sibling). */
    if (k->state != GX_STATE_OK || k->line_gbs <= 0 || k->noise ||
        gx_pattern_table[k->pattern]->lower_is_better)
        return 0;
    double m = siblings_median(kept, n, k, &count);
    return m > 0 && k->median < GX_BELOW_SIBLINGS * m;
}

/* Whether k speaks for its measurement: the largest size that has the finding. */
static int speaks(const struct gx_kept *kept, size_t n, size_t i,
                  int (*has)(const struct gx_kept *, size_t, const struct gx_kept *))
{
    const struct gx_kept *k = &kept[i];
    for (size_t j = 0; j < n; j++) {
        const struct gx_kept *o = &kept[j]; /* of the same measurement, a larger size */
        if (j != i && has(kept, n, o) && o->a == k->a && o->b == k->b && o->path == k->path &&
            o->src_kind == k->src_kind && o->dst_kind == k->dst_kind && o->pattern == k->pattern &&
            (o->size > k->size || (o->size == k->size && j > i)))
            return 0;
    }
    return 1;
}

static void name_of(const struct gx_kept *k, char *buf, size_t len)
{
    int group = gx_kept_collective(k);
    snprintf(buf, len, "%s %d%s%d %s %s>%s %s", group ? "group" : "pair", k->a, group ? ".." : "->",
             k->b, gx_paths[k->path].name,
             gx_mem_name(k->src_kind), gx_mem_name(k->dst_kind),
             gx_pattern_table[k->pattern]->name);
}

static int kept_findings(const void *state, const struct gx_run *run, struct gx_health *h,
                         int nh, int max)
{
    (void)state;
    const struct gx_kept *kept = run->kept;
    size_t n = run->nkept;
    char who[128];
    for (size_t i = 0; i < n && nh < max; i++) {
        const struct gx_kept *k = &kept[i];
        if (above_line(kept, n, k) && speaks(kept, n, i, above_line)) {
            struct gx_health *x = gx_health_add(h, &nh, max, "above-line-rate", k->a);
            name_of(k, who, sizeof who);
            snprintf(x->line, sizeof x->line, "%s: %.4g GB/s at %zu bytes is above its route's "
                     "line rate, %.4g GB/s (%s): the route or a rate is wrong%s", who, k->median,
                     k->size, k->line_gbs, gx_link_kinds[k->line_kind].name,
                     gx_kept_collective(k)
                         ? ", or the collective's algorithm carries more than a ring's share "
                           "(NCCL's tree, NVLS)"
                         : "");
            snprintf(x->evidence, sizeof x->evidence, "median %.6g GB/s, line rate %.6g GB/s, "
                     "share %.3f", k->median, k->line_gbs, k->line_share);
        }
        if (nh < max && ceiling_low(kept, n, k) && speaks(kept, n, i, ceiling_low)) {
            struct gx_health *x = gx_health_add(h, &nh, max, "ceiling-below-usual-share", k->a);
            const struct gx_link_kind_info *kind = &gx_link_kinds[k->line_kind];
            name_of(k, who, sizeof who);
            snprintf(x->line, sizeof x->line, "%s: its ceiling %.4g GB/s at %zu bytes is %.0f%% "
                     "of the %s line rate %.4g GB/s, below the usual %.0f%%", who, k->ceiling,
                     k->size, 100 * k->ceiling / k->line_gbs, kind->name, k->line_gbs,
                     100 * kind->usual_share);
            snprintf(x->evidence, sizeof x->evidence, "ceiling %.6g GB/s, line rate %.6g GB/s, "
                     "usual share of %s %.2f", k->ceiling, k->line_gbs, kind->name,
                     kind->usual_share);
        }
        if (nh < max && gx_kept_below_siblings(kept, n, k) &&
            speaks(kept, n, i, gx_kept_below_siblings)) {
            struct gx_health *x = gx_health_add(h, &nh, max, "below-siblings", k->a);
            int count;
            double m = siblings_median(kept, n, k, &count);
            name_of(k, who, sizeof who);
            snprintf(x->line, sizeof x->line, "%s: %.4g GB/s at %zu bytes, well below its %d "
                     "siblings' %.4g GB/s over the same %s links at %.4g GB/s", who, k->median,
                     k->size, count, m, gx_link_kinds[k->line_kind].name, k->line_gbs);
            snprintf(x->evidence, sizeof x->evidence, "median %.6g GB/s, the siblings' median "
                     "%.6g GB/s (%d pairs), below %.2f of it", k->median, m, count,
                     GX_BELOW_SIBLINGS);
        }
    }
    return nh;
}

static int kept_fill(struct gx_report *rep, void *state, struct gx_run *run, struct gx_err *err)
{
    (void)state, (void)err;
    if (run->rounds)
        gx_report_set(rep, "rounds", run->rounds);
    run->rounds = NULL; /* the report's now */
    return GX_OK;
}

const struct gx_view_ops gx_view_kept = {
    .name = "kept", .findings = kept_findings, .fill_report = kept_fill,
};

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
        .noise = ok ? r->noise.marks & GX_NOISE_DISTURBED : 0,
        .ceiling = ok && r->ceiling > 0 ? r->ceiling : 0,
        .ceiling_kind = ok && r->ceiling > 0 ? r->ceiling_range.kind : -1,
        .line_gbs = ok ? r->line_gbs : 0,
        .line_share = ok ? r->line_share : 0,
        .line_kind = ok && r->line_gbs > 0 ? r->line_kind : -1,
    };
}

int gx_kept_collective(const struct gx_kept *k)
{
    return gx_pattern_table[k->pattern]->coll != GX_COLL_NONE;
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

/* A measurement's key, in the order it sorts: chunks picked per pair among candidates (not
 * given) are one measurement whatever each pair picked. */
static void key_of(const struct gx_kept *k, size_t key[8])
{
    int chosen = gx_chunk_picked(k->chunk, k->chunk_choice);
    size_t v[8] = {(size_t)k->path, (size_t)k->src_kind, (size_t)k->dst_kind, (size_t)chosen,
                   chosen ? (size_t)k->chunk_choice : k->chunk, chosen ? 0 : (size_t)k->depth,
                   (size_t)k->pattern, k->size};
    memcpy(key, v, sizeof v);
}

int gx_kept_key_cmp(const struct gx_kept *x, const struct gx_kept *y)
{
    size_t kx[8], ky[8];
    key_of(x, kx);
    key_of(y, ky);
    int c = 0;
    for (int i = 0; i < 8 && !c; i++)
        c = cmp_z(kx[i], ky[i]);
    return c;
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

enum gx_data gx_kept_data(const struct gx_kept *k)
{
    int src = gx_mem_on_gpu(k->src_kind), dst = gx_mem_on_gpu(k->dst_kind);
    return src && dst ? GX_DATA_GPU : !src && !dst ? GX_DATA_HOST : GX_DATA_MIXED;
}
