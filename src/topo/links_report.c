/* The link facts, routes and health in the report (cJSON only here) and in the table's header. */
#include "config.h"
#include "wrap.h"
#include "links.h"
#include "topo.h"

#include <cjson/cJSON.h>
#include <string.h>

static void add_gbs(cJSON *o, const char *key, double gbs)
{
    if (gbs > 0)
        cJSON_AddNumberToObject(o, key, gbs);
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *gen_width(int gen, int width, enum gx_src src)
{
    cJSON *o = cJSON_CreateObject();
    if (gen > 0) {
        cJSON_AddNumberToObject(o, "generation", gen);
        cJSON_AddNumberToObject(o, "width", width);
        add_gbs(o, "gbs", gx_pcie_gbs(gen, width));
    } else {
        cJSON_AddNullToObject(o, "generation");
        cJSON_AddNullToObject(o, "width");
        cJSON_AddNullToObject(o, "gbs");
    }
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
        if (v->links >= 0) {
            cJSON_AddNumberToObject(nv, "links", v->links);
            cJSON_AddNumberToObject(nv, "active", v->active);
        } else {
            cJSON_AddNullToObject(nv, "links");
            cJSON_AddNullToObject(nv, "active");
        }
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
        if (c->links >= 0) {
            cJSON_AddNumberToObject(c2, "links", c->links);
            cJSON_AddNumberToObject(c2, "active", c->active);
        } else {
            cJSON_AddNullToObject(c2, "links");
            cJSON_AddNullToObject(c2, "active");
        }
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

/* "NVLink 4, 17 links 425.0 GB/s < PCIe gen5 x16 63.0 GB/s", the narrowest first. */
void gx_route_text(const struct gx_route *r, char *buf, size_t len)
{
    buf[0] = '\0';
    if (r->nhops == 0) {
        snprintf(buf, len, "%s", r->why);
        return;
    }
    for (int i = 0; i < r->nhops; i++) {
        size_t l = strlen(buf);
        const struct gx_hop *h = &r->hops[i];
        if (h->gbs > 0)
            snprintf(buf + l, len - l, "%s%s %.1f GB/s", i ? ", " : "", h->what, h->gbs);
        else
            snprintf(buf + l, len - l, "%s%s ?", i ? ", " : "", h->what);
    }
}

/* The health findings into the report: the checks that ran and one entry per finding. */
cJSON *gx_health_json(const struct gx_health *h, int n)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *checks = cJSON_AddArrayToObject(o, "checks");
    static const char *const ran[] = {"pcie-below-max", "nvlink-down", "nvlink-below-siblings",
                                      "c2c-down", "nic-below-siblings", "above-line-rate",
                                      "ceiling-below-usual-share", "below-siblings"};
    for (size_t i = 0; i < sizeof ran / sizeof ran[0]; i++)
        cJSON_AddItemToArray(checks, cJSON_CreateString(ran[i]));
    cJSON *f = cJSON_AddArrayToObject(o, "findings");
    for (int i = 0; i < n; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "check", h[i].check);
        if (h[i].rank >= 0)
            cJSON_AddNumberToObject(x, "rank", h[i].rank);
        else
            cJSON_AddNullToObject(x, "rank");
        cJSON_AddStringToObject(x, "line", h[i].line);
        cJSON_AddStringToObject(x, "evidence", h[i].evidence);
        cJSON_AddItemToArray(f, x);
    }
    return o;
}

static const char *str(const cJSON *obj, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

static double num(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* One header line per rank: its GPU's PCIe and NVLink, its NIC, each with rate and source. */
void gx_links_print(FILE *out, const cJSON *ranks)
{
    const cJSON *r;
    int with_facts = 0, printed = 0;
    cJSON_ArrayForEach(r, ranks)
    {
        const cJSON *lf = cJSON_GetObjectItemCaseSensitive(r, "link_facts");
        if (!lf)
            continue;
        with_facts++;
        char pcie[160] = "-", nvl[120] = "-", nic[120] = "-";
        const cJSON *pc = cJSON_GetObjectItemCaseSensitive(lf, "pcie");
        if (pc) {
            const cJSON *cur = cJSON_GetObjectItemCaseSensitive(pc, "current");
            const cJSON *mx = cJSON_GetObjectItemCaseSensitive(pc, "maximum");
            char c[48] = "?", m[48] = "?";
            if (num(cur, "generation") > 0)
                snprintf(c, sizeof c, "gen%.0f x%.0f %s %s", num(cur, "generation"),
                         num(cur, "width"), str(cur, "source", "?"),
                         cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pc, "under_load"))
                             ? "under load" : "at idle");
            if (num(mx, "generation") > 0)
                snprintf(m, sizeof m, "gen%.0f x%.0f %s", num(mx, "generation"),
                         num(mx, "width"), str(mx, "source", "?"));
            if (num(pc, "line_gbs") > 0 && num(cur, "generation") > 0)
                snprintf(pcie, sizeof pcie, "%.1f GB/s (now %s, max %s)", num(pc, "line_gbs"), c,
                         m);
            else if (num(pc, "line_gbs") > 0) /* hwloc's speed: no generation or width */
                snprintf(pcie, sizeof pcie, "%.1f GB/s (hwloc's link speed; %s)",
                         num(pc, "line_gbs"), str(pc, "why_unknown", "gen and width unknown"));
            else
                snprintf(pcie, sizeof pcie, "? (%s)", str(pc, "why_unknown", "unknown"));
        }
        const cJSON *nv = cJSON_GetObjectItemCaseSensitive(lf, "nvlink");
        if (nv && num(nv, "links") > 0) {
            if (num(nv, "generation") > 0)
                snprintf(nvl, sizeof nvl, "%.0f, %.0f of %.0f active, %.1f GB/s",
                         num(nv, "generation"), num(nv, "active"), num(nv, "links"),
                         num(nv, "line_gbs"));
            else
                snprintf(nvl, sizeof nvl, "%.0f of %.0f active, rate ?", num(nv, "active"),
                         num(nv, "links"));
        }
        const cJSON *nc = cJSON_GetObjectItemCaseSensitive(lf, "nic");
        if (str(nc, "name", NULL)) {
            if (num(nc, "gbits") > 0)
                snprintf(nic, sizeof nic, "%s %.0f Gb/s %s", str(nc, "name", "?"),
                         num(nc, "gbits"), str(nc, "source", "?"));
            else
                snprintf(nic, sizeof nic, "%s rate ?", str(nc, "name", "?"));
        }
        /* C2C only where the GPU has it (Grace Hopper). */
        char c2c[80] = "";
        const cJSON *cc = cJSON_GetObjectItemCaseSensitive(lf, "c2c");
        if (num(cc, "links") > 0)
            snprintf(c2c, sizeof c2c, "; C2C %.0f of %.0f active, %.1f GB/s", num(cc, "active"),
                     num(cc, "links"), num(cc, "line_gbs"));
        /* A rank with no GPU and no NIC has nothing to say: a line of dashes a rank would
         * bury the header of a host-only job. */
        if (!pc && !strcmp(nvl, "-") && !c2c[0] && !strcmp(nic, "-"))
            continue;
        gx_print_note(out, "# links %d: PCIe %s; NVLink %s%s; NIC %s\n", (int)num(r, "rank"), pcie,
                      nvl, c2c, nic);
        printed++;
    }
    if (with_facts && !printed)
        fprintf(out, "# links: none on any rank (no GPU, no NIC)\n");
}
