/* The counters' findings, each with its evidence; a counter not read is no finding. */
#include "gpu_counters.h"

#include <stdio.h>
#include <string.h>

static void links_text(uint64_t moved, char *buf, size_t len)
{
    char list[120] = "";
    size_t at = 0;
    int n = 0;
    for (int l = 0; l < 64 && at < sizeof list; l++)
        if (moved >> l & 1)
            at += (size_t)snprintf(list + at, sizeof list - at, "%s%d", n++ ? ", " : "", l);
    buf[0] = '\0';
    if (n > 0)
        snprintf(buf, len, " (link%s %s)", n == 1 ? "" : "s", list);
}

static void reasons_text(uint64_t bits, char *buf, size_t len)
{
    const char *names[64];
    int n = gx_clock_reasons(bits, names, 64);
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", names[i]);
    if (n == 0)
        snprintf(buf, len, "none");
}

static int judge(const struct gx_gpu_counters *g, int c, struct gx_health *h, int n, int max)
{
    const struct gx_cnt_info *ci = &gx_cnt_info[c];
    unsigned long long b = g->before[c], a = g->after[c];
    struct gx_health *x;
    char ev[GX_HEALTH_LINE], more[150];
    switch (ci->kind) {
    case GX_CNT_DELTA:
    case GX_CNT_CRC:
        if (a == b || !(x = gx_health_add(h, &n, max, ci->check, g->rank)))
            return n;
        links_text(c < GX_CNT_NVLINKS ? g->links_moved[c] : 0, more, sizeof more);
        snprintf(x->line, sizeof x->line, "GPU %s (rank %d): %s during the run: %llu before, "
                 "%llu after%s", g->busid, g->rank, ci->what, b, a, more);
        if (ci->kind == GX_CNT_CRC) {
            /* Judged over a second at least: a short run would scale a few errors past it. */
            double span = g->seconds > 1 ? g->seconds : 1;
            double rate = g->seconds > 0 ? (double)(a - b) / span : 0;
            x->warning = g->seconds > 0 && rate < GX_CNT_CRC_PER_S;
            size_t at = strlen(x->line);
            snprintf(x->line + at, sizeof x->line - at, ", %.3g a second (%s %.0f, %s)",
                     rate, x->warning ? "below" : "at or above", GX_CNT_CRC_PER_S,
                     x->warning ? "a warning" : "where they matter");
        }
        if (c < GX_CNT_NVLINKS)
            snprintf(ev, sizeof ev, "nvml %s: before %llu, after %llu, summed over %d links, "
                     "%.3f s apart", ci->name, b, a, g->links_read[c], g->seconds);
        else
            snprintf(ev, sizeof ev, "nvml %s: before %llu, after %llu", ci->name, b, a);
        break;
    case GX_CNT_EVENTS:
        if (a == 0 || !(x = gx_health_add(h, &n, max, ci->check, g->rank)))
            return n;
        more[0] = '\0';
        for (int x = 0, at = 0; x < (int)a && x < GX_CNT_XIDS && at < (int)sizeof more; x++)
            at += snprintf(more + at, sizeof more - (size_t)at, "%s%u", x ? ", " : "", g->xids[x]);
        snprintf(x->line, sizeof x->line, "GPU %s (rank %d): %llu XID event%s during the run "
                 "(XID %s%s)", g->busid, g->rank, a, a == 1 ? "" : "s", more,
                 a > GX_CNT_XIDS ? ", ..." : "");
        snprintf(ev, sizeof ev, "nvml xid: critical error events delivered between the "
                 "readings: before 0, after %llu (XID %s)", a, more);
        break;
    case GX_CNT_PENDING:
        if (a == 0 || !(x = gx_health_add(h, &n, max, ci->check, g->rank)))
            return n;
        snprintf(x->line, sizeof x->line, "GPU %s (rank %d): %s (the GPU needs a reset)",
                 g->busid, g->rank, ci->what);
        snprintf(ev, sizeof ev, "nvml %s: before %llu, after %llu", ci->name, b, a);
        break;
    case GX_CNT_THROTTLE:
        if (!(a & GX_CLK_THROTTLING) || !(x = gx_health_add(h, &n, max, ci->check, g->rank)))
            return n;
        reasons_text(a & GX_CLK_THROTTLING, more, sizeof more);
        snprintf(x->line, sizeof x->line, "GPU %s (rank %d): %s at the end of the run: %s",
                 g->busid, g->rank, ci->what, more);
        char before_text[150];
        reasons_text(b, before_text, sizeof before_text);
        reasons_text(a, more, sizeof more);
        snprintf(ev, sizeof ev, "nvml %s: before 0x%llx (%s), after 0x%llx (%s)", ci->name, b,
                 before_text, a, more);
        break;
    default:
        return n;
    }
    snprintf(x->evidence, sizeof x->evidence, "%s", ev);
    return n;
}

int gx_counters_health(const struct gx_gpu_counters *all, int n, struct gx_health *h, int nh,
                       int max)
{
    for (int i = 0; all && i < n; i++) {
        if (!all[i].read || !gx_counters_first_of_gpu(all, i))
            continue;
        for (int c = 0; c < GX_CNTS; c++)
            if (all[i].why[c] < 0)
                nh = judge(&all[i], c, h, nh, max);
    }
    return nh;
}
