#include "config.h"
#include "report.h"

#include "gpu_counters.h"
#include "links.h"

#include <cjson/cJSON.h>

#include <string.h>

static void add_known(cJSON *o, const char *key, int known, double v)
{
    if (known)
        cJSON_AddNumberToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

static void add_gbs(cJSON *o, const char *key, double gbs)
{
    add_known(o, key, gbs > 0, gbs);
}

static cJSON *gen_width(int gen, int width, enum gx_src src)
{
    cJSON *o = cJSON_CreateObject();
    add_known(o, "generation", gen > 0, gen);
    add_known(o, "width", gen > 0, width);
    if (gen > 0)
        add_gbs(o, "gbs", gx_pcie_gbs(gen, width));
    else
        cJSON_AddNullToObject(o, "gbs");
    cJSON_AddStringToObject(o, "source", gx_src_names[gen > 0 ? src : GX_SRC_NONE]);
    return o;
}

cJSON *gx_links_rank_json(const struct gx_link_facts *f)
{
    cJSON *o = cJSON_CreateObject();
    char what[96];
    if (f->has_gpu) {
        const struct gx_pcie_facts *p = &f->pcie;
        cJSON *pc = cJSON_AddObjectToObject(o, "pcie");
        cJSON_AddItemToObject(pc, "current", gen_width(p->cur_gen, p->cur_width, p->cur_src));
        cJSON_AddBoolToObject(pc, "under_load", p->under_load);
        cJSON_AddItemToObject(pc, "maximum", gen_width(p->max_gen, p->max_width, p->max_src));
        add_gbs(pc, "hwloc_gbs", p->hwloc_gbs);
        add_gbs(pc, "line_gbs", gx_pcie_line_gbs(p, what, sizeof what));
        cJSON_AddStringToObject(pc, "line", what);
        if (p->why[0] && (!p->cur_gen || !p->max_gen)) /* a later source may have filled it */
            cJSON_AddStringToObject(pc, "why_unknown", p->why);
        const struct gx_nvlink_facts *v = &f->nvlink;
        cJSON *nv = cJSON_AddObjectToObject(o, "nvlink");
        double per = 0;
        int gen = gx_nvlink_generation(v->nvml_version, &per);
        add_known(nv, "links", v->links >= 0, v->links);
        add_known(nv, "active", v->links >= 0, v->active);
        if (gen > 0) {
            cJSON_AddNumberToObject(nv, "generation", gen);
            cJSON_AddNumberToObject(nv, "nvml_version", v->nvml_version);
            cJSON_AddNumberToObject(nv, "link_gbs", per);
            add_gbs(nv, "line_gbs", per * (v->active > 0 ? v->active : 0));
        } else {
            cJSON_AddNullToObject(nv, "generation");
            cJSON_AddNullToObject(nv, "line_gbs");
        }
        cJSON_AddStringToObject(nv, "source", gx_src_names[v->links >= 0 ? GX_SRC_NVML
                                                                          : GX_SRC_NONE]);
        if (v->why[0] && (v->links <= 0 || gen == 0))
            cJSON_AddStringToObject(nv, "why_unknown", v->why);
    }
    cJSON *nic = cJSON_AddObjectToObject(o, "nic");
    if (f->nic.name[0])
        cJSON_AddStringToObject(nic, "name", f->nic.name);
    else
        cJSON_AddNullToObject(nic, "name");
    add_gbs(nic, "gbits", f->nic.gbits);
    add_gbs(nic, "line_gbs", gx_nic_line_gbs(&f->nic));
    cJSON_AddStringToObject(nic, "source", gx_src_names[f->nic.src]);
    cJSON_AddStringToObject(nic, "where", f->nic.where);
    if (f->has_gpu) {
        const struct gx_c2c_facts *c = &f->c2c;
        cJSON *c2 = cJSON_AddObjectToObject(o, "c2c");
        add_known(c2, "links", c->links >= 0, c->links);
        add_known(c2, "active", c->links >= 0, c->active);
        add_gbs(c2, "line_gbs", gx_c2c_line_gbs(c));
        cJSON_AddStringToObject(c2, "source", gx_src_names[c->links >= 0 ? GX_SRC_NVML
                                                                         : GX_SRC_NONE]);
        if (c->links < 0 && c->why[0])
            cJSON_AddStringToObject(c2, "why_unknown", c->why);
    }
    return o;
}

cJSON *gx_route_json(const struct gx_route *r)
{
    cJSON *o = cJSON_CreateObject();
    add_gbs(o, "line_gbs", r->line_gbs);
    cJSON_AddBoolToObject(o, "partial", r->partial);
    if (r->why[0])
        cJSON_AddStringToObject(o, "why", r->why);
    cJSON *hops = cJSON_AddArrayToObject(o, "hops");
    for (int i = 0; i < r->nhops; i++) {
        const struct gx_hop *h = &r->hops[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "kind", gx_link_kinds[h->kind].name);
        if (h->rank >= 0)
            cJSON_AddNumberToObject(x, "rank", h->rank);
        add_gbs(x, "gbs", h->gbs);
        cJSON_AddStringToObject(x, "source", gx_src_names[h->src]);
        cJSON_AddStringToObject(x, "what", h->what);
        cJSON_AddItemToArray(hops, x);
    }
    return o;
}

cJSON *gx_health_json(const struct gx_health *h, int n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *checks = cJSON_AddArrayToObject(o, "checks");
    static const char *const ran[] = {"pcie-below-max", "nvlink-down", "nvlink-below-siblings",
                                      "c2c-down", "nic-below-siblings", "above-line-rate",
                                      "ceiling-below-usual-share", "below-siblings", "slow-node"};
    for (size_t i = 0; i < sizeof ran / sizeof ran[0]; i++)
        cJSON_AddItemToArray(checks, cJSON_CreateString(ran[i]));
    /* Each once: a check's counters are neighbours in their table. */
    const char *last = "";
    for (int c = 0; c < GX_CNTS; c++)
        if (gx_cnt_info[c].check && strcmp(gx_cnt_info[c].check, last) != 0)
            cJSON_AddItemToArray(checks, cJSON_CreateString(last = gx_cnt_info[c].check));
    cJSON *f = cJSON_AddArrayToObject(o, "findings");
    for (int i = 0; i < n; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "check", h[i].check);
        cJSON_AddStringToObject(x, "severity", h[i].warning ? "warning" : "finding");
        add_known(x, "rank", h[i].rank >= 0, h[i].rank);
        cJSON_AddStringToObject(x, "line", h[i].line);
        cJSON_AddStringToObject(x, "evidence", h[i].evidence);
        cJSON_AddItemToArray(f, x);
    }
    return o;
}

/* The GPUs' counters around the run, per GPU: each one's value before and after, or why it is
 * unavailable. */
static cJSON *reasons_json(uint64_t bits)
{
    const char *names[64];
    int n = gx_clock_reasons(bits, names, 64);
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
    return a;
}

static cJSON *counter_json(const struct gx_gpu_counters *g, int c)
{
    cJSON *o = cJSON_CreateObject();
    if (g->why[c] >= 0) {
        cJSON_AddStringToObject(o, "unavailable", g->reasons[g->why[c]]);
        return o;
    }
    cJSON_AddNumberToObject(o, "before", (double)g->before[c]);
    cJSON_AddNumberToObject(o, "after", (double)g->after[c]);
    if (c < GX_CNT_NVLINKS) {
        cJSON_AddNumberToObject(o, "links", g->links_read[c]);
        cJSON *moved = cJSON_AddArrayToObject(o, "links_moved");
        for (int l = 0; l < 64; l++)
            if (g->links_moved[c] >> l & 1)
                cJSON_AddItemToArray(moved, cJSON_CreateNumber(l));
    } else if (c == GX_CNT_XID) {
        cJSON *x = cJSON_AddArrayToObject(o, "xids");
        for (uint64_t i = 0; i < g->after[c] && i < GX_CNT_XIDS; i++)
            cJSON_AddItemToArray(x, cJSON_CreateNumber(g->xids[i]));
    } else if (c == GX_CNT_CLOCK_EVENTS) {
        cJSON_AddItemToObject(o, "before_reasons", reasons_json(g->before[c]));
        cJSON_AddItemToObject(o, "after_reasons", reasons_json(g->after[c]));
    }
    return o;
}

cJSON *gx_counters_json(const struct gx_gpu_counters *all, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; all && i < n; i++) {
        const struct gx_gpu_counters *g = &all[i];
        if (!g->has_gpu || !gx_counters_first_of_gpu(all, i))
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "rank", g->rank);
        cJSON_AddNumberToObject(o, "node", g->node);
        if (g->busid[0])
            cJSON_AddStringToObject(o, "pci_bus_id", g->busid);
        else
            cJSON_AddNullToObject(o, "pci_bus_id");
        if (!g->read) {
            cJSON_AddStringToObject(o, "unavailable", g->none);
        } else {
            cJSON_AddNumberToObject(o, "seconds", g->seconds);
            cJSON *c = cJSON_AddObjectToObject(o, "counters");
            for (int k = 0; k < GX_CNTS; k++)
                cJSON_AddItemToObject(c, gx_cnt_info[k].name, counter_json(g, k));
        }
        cJSON_AddItemToArray(a, o);
    }
    return a;
}
