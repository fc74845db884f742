/* Degraded hardware from the link facts; each GPU and NIC judged once, however many use it. */
#include "links_store.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct gx_health *gx_health_add(struct gx_health *h, int *n, int max, const char *check,
                                int rank)
{
    if (*n >= max)
        return NULL;
    struct gx_health *x = &h[(*n)++];
    memset(x, 0, sizeof *x);
    x->check = check;
    x->rank = rank;
    return x;
}

static int add(struct gx_health *h, int n, int max, const char *check, int rank,
               const char *evidence, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static int add(struct gx_health *h, int n, int max, const char *check, int rank,
               const char *evidence, const char *fmt, ...)
{
    struct gx_health *x = gx_health_add(h, &n, max, check, rank);
    if (!x)
        return n;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->line, sizeof x->line, fmt, ap);
    va_end(ap);
    snprintf(x->evidence, sizeof x->evidence, "%s", evidence);
    return n;
}

/* Whether an earlier rank of the node stands for this GPU (or NIC); equal entries, equal text. */
static int seen_before(const struct gx_link_rec *f, int i, int nic)
{
    for (int j = 0; j < i; j++) {
        if (f[j].node != f[i].node)
            continue;
        if (nic ? f[j].nic.name == f[i].nic.name : f[j].has_gpu && f[j].busid == f[i].busid)
            return 1;
    }
    return 0;
}

static int pcie_check(const struct gx_link_store *s, const struct gx_link_rec *f,
                      struct gx_health *h, int n, int max)
{
    const struct gx_pcie_rec *p = &f->pcie;
    const char *busid = gx_link_str(s, f->busid);
    if (!p->cur_width || !p->max_width)
        return n;
    int narrow = p->cur_width < p->max_width;
    /* A lower generation counts only when read under load: GPUs lower it at idle. */
    int slow = p->under_load && p->cur_gen < p->max_gen;
    if (!narrow && !slow)
        return n;
    char ev[GX_HEALTH_LINE];
    snprintf(ev, sizeof ev, "current gen%d x%d (%s%s), maximum gen%d x%d (%s)", p->cur_gen,
             p->cur_width, gx_src_names[p->cur_src], p->under_load ? ", under load" : ", idle",
             p->max_gen, p->max_width, gx_src_names[p->max_src]);
    if (slow)
        return add(h, n, max, "pcie-below-max", f->rank, ev,
                   "GPU %s (rank %d): PCIe link at gen%d x%d under load, below its maximum "
                   "gen%d x%d: %.1f of %.1f GB/s",
                   busid, f->rank, p->cur_gen, p->cur_width, p->max_gen, p->max_width,
                   gx_pcie_gbs(p->cur_gen, p->cur_width), gx_pcie_gbs(p->max_gen, p->max_width));
    char gen_note[64] = "";
    if (!p->under_load && p->cur_gen < p->max_gen)
        snprintf(gen_note, sizeof gen_note, " (gen%d read at idle, not judged)", p->cur_gen);
    return add(h, n, max, "pcie-below-max", f->rank, ev,
               "GPU %s (rank %d): PCIe link at x%d of its maximum x%d%s: %.1f of %.1f GB/s",
               busid, f->rank, p->cur_width, p->max_width, gen_note,
               gx_pcie_gbs(p->max_gen, p->cur_width), gx_pcie_gbs(p->max_gen, p->max_width));
}

static int nvlink_check(const struct gx_link_store *s, int i, struct gx_health *h, int n,
                        int max)
{
    const struct gx_link_rec *f = s->recs;
    const struct gx_nvlink_rec *v = &f[i].nvlink;
    const char *busid = gx_link_str(s, f[i].busid);
    if (v->links <= 0)
        return n;
    int best = v->active; /* the most active links on a GPU of the same NVLink generation */
    for (int j = 0; j < s->n; j++)
        if (f[j].node == f[i].node && f[j].has_gpu &&
            f[j].nvlink.nvml_version == v->nvml_version && f[j].nvlink.active > best)
            best = f[j].nvlink.active;
    if (v->active >= v->links && v->active >= best)
        return n;
    char ev[GX_HEALTH_LINE];
    snprintf(ev, sizeof ev, "nvml: %d of %d links active; the most active on a sibling GPU of "
             "the node: %d", v->active, v->links, best);
    int down = v->links - v->active;
    if (down > 0)
        return add(h, n, max, "nvlink-down", f[i].rank, ev,
                   "GPU %s (rank %d): %d NVLink%s down, %d of %d active", busid,
                   f[i].rank, down, down == 1 ? "" : "s", v->active, v->links);
    return add(h, n, max, "nvlink-below-siblings", f[i].rank, ev,
               "GPU %s (rank %d): %d NVLinks active, its siblings have %d", busid,
               f[i].rank, v->active, best);
}

static int c2c_check(const struct gx_link_store *s, const struct gx_link_rec *f,
                     struct gx_health *h, int n, int max)
{
    const struct gx_c2c_rec *c = &f->c2c;
    if (c->links <= 0 || c->active >= c->links)
        return n;
    char ev[GX_HEALTH_LINE];
    snprintf(ev, sizeof ev, "nvml: %d of %d C2C links up", c->active, c->links);
    return add(h, n, max, "c2c-down", f->rank, ev, "GPU %s (rank %d): %d C2C link%s down, %d of "
               "%d active", gx_link_str(s, f->busid), f->rank, c->links - c->active,
               c->links - c->active == 1 ? "" : "s", c->active, c->links);
}

static int infiniband(const struct gx_link_store *s, const struct gx_nic_rec *c)
{
    return strstr(gx_link_str(s, c->where), "/infiniband/") != NULL;
}

static int nic_check(const struct gx_link_store *s, int i, struct gx_health *h, int n, int max)
{
    const struct gx_link_rec *f = s->recs;
    const struct gx_nic_rec *c = &f[i].nic;
    if (c->gbits <= 0)
        return n;
    int ib = infiniband(s, c);
    double best = c->gbits;
    gx_sid best_name = c->name;
    for (int j = 0; j < s->n; j++)
        if (f[j].nic.gbits > best && infiniband(s, &f[j].nic) == ib)
            best = f[j].nic.gbits, best_name = f[j].nic.name;
    if (c->gbits >= best)
        return n;
    char ev[GX_HEALTH_LINE];
    snprintf(ev, sizeof ev, "%s: %.0f Gb/s; %s elsewhere in the job: %.0f Gb/s",
             gx_link_str(s, c->where), c->gbits, gx_link_str(s, best_name), best);
    return add(h, n, max, "nic-below-siblings", f[i].rank, ev,
               "NIC %s (rank %d, node %d): %.0f Gb/s, below its siblings' %.0f Gb/s",
               gx_link_str(s, c->name), f[i].rank, f[i].node, c->gbits, best);
}

int gx_health_failing(const struct gx_health *h, int n)
{
    int failing = 0;
    for (int i = 0; i < n; i++)
        failing += !h[i].warning;
    return failing;
}

int gx_health_from_store(const struct gx_link_store *s, struct gx_health *h, int max)
{
    int n = 0;
    const struct gx_link_rec *f = s ? s->recs : NULL;
    for (int i = 0; f && i < s->n; i++) {
        if (f[i].has_gpu && !seen_before(f, i, 0)) {
            n = pcie_check(s, &f[i], h, n, max);
            n = nvlink_check(s, i, h, n, max);
            n = c2c_check(s, &f[i], h, n, max);
        }
        if (f[i].nic.name != GX_SID_NONE && !seen_before(f, i, 1))
            n = nic_check(s, i, h, n, max);
    }
    return n;
}
