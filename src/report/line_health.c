/* Health findings from the measured results against their routes' line rates: a result above the
 * line rate (no transfer can be: the route or a rate is wrong), and a ceiling, the machine's own
 * limit measured in the job, below the usual share of the line rate of its link kind (a
 * degraded or misconfigured link that the ceiling alone would hide: gpuxfer would call its paths
 * efficient). One finding per measurement (pair, path, memory kinds, pattern): its largest size. */
#include "line_health.h"

#include "mem.h"
#include "path.h"
#include "pattern.h"
#include "topo.h"

#include <stdio.h>
#include <string.h>

/* The usual shares are what large messages reach; smaller ones pay per-message costs. */
#define GX_USUAL_SHARE_FROM ((size_t)16 << 20)

static int same_measurement(const struct gx_kept *x, const struct gx_kept *y)
{
    return x->a == y->a && x->b == y->b && x->path == y->path && x->src_kind == y->src_kind &&
           x->dst_kind == y->dst_kind && x->pattern == y->pattern;
}

static int above_line(const struct gx_kept *k)
{
    return k->state == GX_STATE_OK && k->line_gbs > 0 && k->line_share > 1.0;
}

static int ceiling_low(const struct gx_kept *k)
{
    if (k->state != GX_STATE_OK || k->line_gbs <= 0 || k->ceiling <= 0 || k->line_kind < 0 ||
        k->line_kind >= GX_LINK_KINDS || k->size < GX_USUAL_SHARE_FROM ||
        gx_pattern_table[k->pattern]->lower_is_better)
        return 0;
    double usual = gx_link_kinds[k->line_kind].usual_share;
    return usual > 0 && k->ceiling / k->line_gbs < usual;
}

/* Whether k is the one that speaks for its measurement: the largest size that has the
 * finding (the later one of equal sizes). */
static int speaks(const struct gx_kept *kept, size_t n, size_t i, int (*has)(const struct gx_kept *))
{
    for (size_t j = 0; j < n; j++)
        if (j != i && has(&kept[j]) && same_measurement(&kept[i], &kept[j]) &&
            (kept[j].size > kept[i].size || (kept[j].size == kept[i].size && j > i)))
            return 0;
    return 1;
}

static void name_of(const struct gx_kept *k, char *buf, size_t len)
{
    snprintf(buf, len, "pair %d->%d %s %s>%s %s", k->a, k->b, gx_paths[k->path].name,
             gx_mem_name(k->src_kind), gx_mem_name(k->dst_kind), gx_pattern_table[k->pattern]->name);
}

int gx_health_from_results(const struct gx_kept *kept, size_t n, struct gx_health *h, int nh,
                           int max)
{
    char who[128];
    for (size_t i = 0; i < n && nh < max; i++) {
        const struct gx_kept *k = &kept[i];
        if (above_line(k) && speaks(kept, n, i, above_line)) {
            struct gx_health *x = &h[nh++];
            name_of(k, who, sizeof who);
            x->check = "above-line-rate";
            x->rank = k->a;
            snprintf(x->line, sizeof x->line, "%s: %.4g GB/s at %zu bytes is above its route's "
                     "line rate, %.4g GB/s (%s): the route or a rate is wrong", who, k->median,
                     k->size, k->line_gbs, gx_link_kinds[k->line_kind].name);
            snprintf(x->evidence, sizeof x->evidence, "median %.6g GB/s, line rate %.6g GB/s, "
                     "share %.3f", k->median, k->line_gbs, k->line_share);
        }
        if (nh < max && ceiling_low(k) && speaks(kept, n, i, ceiling_low)) {
            struct gx_health *x = &h[nh++];
            const struct gx_link_kind_info *kind = &gx_link_kinds[k->line_kind];
            name_of(k, who, sizeof who);
            x->check = "ceiling-below-usual-share";
            x->rank = k->a;
            snprintf(x->line, sizeof x->line, "%s: its ceiling %.4g GB/s at %zu bytes is %.0f%% "
                     "of the %s line rate %.4g GB/s, below the usual %.0f%%", who, k->ceiling,
                     k->size, 100 * k->ceiling / k->line_gbs, kind->name, k->line_gbs,
                     100 * kind->usual_share);
            snprintf(x->evidence, sizeof x->evidence, "ceiling %.6g GB/s, line rate %.6g GB/s, "
                     "usual share of %s %.2f", k->ceiling, k->line_gbs, kind->name,
                     kind->usual_share);
        }
    }
    return nh;
}

void gx_health_start(struct gx_health_set *s, const struct gx_topo_rank *t, FILE *table)
{
    s->n = t && t->all_facts ? gx_health_from_facts(t->all_facts, t->nall_facts, s->h,
                                                    GX_HEALTH_MAX)
                             : 0;
    for (int i = 0; i < s->n; i++)
        fprintf(table, "# health: %s\n", s->h[i].line);
}

void gx_health_end(struct gx_health_set *s, const struct gx_kept *kept, size_t n, FILE *table)
{
    int from = s->n;
    s->n = gx_health_from_results(kept, n, s->h, s->n, GX_HEALTH_MAX);
    for (int i = from; i < s->n; i++)
        fprintf(table, "%s# health: %s\n", i == from ? "\n" : "", s->h[i].line);
}
