#include "links.h"

#include <math.h>
#include <string.h>

const char *const gx_src_names[] = {"unknown", "nvml", "sysfs", "hwloc", "table"};

/* usual_share: below this share of its line rate a healthy link's ceiling is a finding. */
const struct gx_link_kind_info gx_link_kinds[GX_LINK_KINDS] = {
    [GX_LINK_PCIE] = {"pcie", 0.70},  [GX_LINK_NVLINK] = {"nvlink", 0.70},
    [GX_LINK_C2C] = {"c2c", 0},       [GX_LINK_NIC] = {"nic", 0.80},
    [GX_LINK_SOCKET] = {"socket", 0},
};

static const struct {
    int gen;
    double gts;
    int payload, total; /* bits of data per bits on the wire */
} pcie_gens[] = {
    {1, 2.5, 8, 10}, {2, 5.0, 8, 10}, {3, 8.0, 128, 130},
    {4, 16.0, 128, 130}, {5, 32.0, 128, 130}, {6, 64.0, 1, 1},
};

double gx_pcie_gbs(int gen, int width)
{
    for (size_t i = 0; i < sizeof pcie_gens / sizeof pcie_gens[0]; i++)
        if (pcie_gens[i].gen == gen && width > 0)
            return pcie_gens[i].gts * width * pcie_gens[i].payload / pcie_gens[i].total / 8.0;
    return 0;
}

int gx_pcie_gen_of_gts(double gts)
{
    for (size_t i = 0; i < sizeof pcie_gens / sizeof pcie_gens[0]; i++)
        if (fabs(pcie_gens[i].gts - gts) < 0.01)
            return pcie_gens[i].gen;
    return 0;
}

/* NVML's nvmlNvlinkVersion_t values and the GB/s per direction of one link. */
static const struct {
    int nvml, generation;
    double link_gbs;
} nvlink_gens[] = {
    {1, 1, 20.0}, {2, 2, 25.0}, {3, 2, 25.0}, /* 2.2 */
    {4, 3, 25.0}, {5, 3, 25.0},               /* 3.1 */
    {6, 4, 25.0}, {7, 5, 50.0},
};

int gx_nvlink_generation(int nvml_version, double *link_gbs)
{
    for (size_t i = 0; i < sizeof nvlink_gens / sizeof nvlink_gens[0]; i++)
        if (nvlink_gens[i].nvml == nvml_version) {
            *link_gbs = nvlink_gens[i].link_gbs;
            return nvlink_gens[i].generation;
        }
    *link_gbs = 0;
    return 0;
}

double gx_pcie_line_gbs(const struct gx_pcie_facts *p, char *what, size_t len)
{
    /* At idle the generation may be lowered: without a reading under load, the maximum. */
    int gen = p->under_load || !p->max_gen ? p->cur_gen : p->max_gen;
    double gbs = gx_pcie_gbs(gen, p->cur_width);
    if (gbs > 0)
        snprintf(what, len, "PCIe gen%d%s x%d", gen,
                 p->under_load || gen == p->cur_gen ? "" : " (max; idle reading lower)",
                 p->cur_width);
    else if (p->hwloc_gbs > 0) {
        gbs = p->hwloc_gbs;
        snprintf(what, len, "PCIe (hwloc's link speed)");
    } else
        snprintf(what, len, "PCIe (rate unknown: %s)", p->why[0] ? p->why : "no source");
    return gbs;
}

static double nvlink_line_gbs(const struct gx_nvlink_facts *n, int links, char *what,
                              size_t len)
{
    double per = 0;
    int gen = gx_nvlink_generation(n->nvml_version, &per);
    if (gen > 0)
        snprintf(what, len, "NVLink %d, %d link%s", gen, links, links == 1 ? "" : "s");
    else
        snprintf(what, len, "NVLink, %d link%s (generation unknown)", links,
                 links == 1 ? "" : "s");
    return per * links;
}

double gx_c2c_line_gbs(const struct gx_c2c_facts *c)
{
    return c->active > 0 ? c->gbs : 0;
}

double gx_nic_line_gbs(const struct gx_nic_facts *n)
{
    return n->gbits / 8.0;
}

static void add_hop(struct gx_route *r, enum gx_link_kind kind, int rank, double gbs,
                    enum gx_src src, const char *what)
{
    if (r->nhops >= GX_ROUTE_HOPS)
        return;
    struct gx_hop *h = &r->hops[r->nhops++];
    h->kind = kind;
    h->rank = rank;
    h->gbs = gbs;
    h->src = gbs > 0 ? src : GX_SRC_NONE;
    snprintf(h->what, sizeof h->what, "%s", what);
}

static void add_host_link(struct gx_route *r, const struct gx_link_facts *f)
{
    char what[96];
    if (f->c2c.active > 0) {
        snprintf(what, sizeof what, "C2C, %d link%s", f->c2c.active, f->c2c.active == 1 ? "" : "s");
        add_hop(r, GX_LINK_C2C, f->rank, gx_c2c_line_gbs(&f->c2c), GX_SRC_NVML, what);
        return;
    }
    double gbs = gx_pcie_line_gbs(&f->pcie, what, sizeof what);
    enum gx_src src = f->pcie.cur_gen && f->pcie.cur_width ? f->pcie.cur_src : GX_SRC_HWLOC;
    add_hop(r, GX_LINK_PCIE, f->rank, gbs, src, what);
}

static void add_nic(struct gx_route *r, const struct gx_link_facts *f)
{
    char what[96];
    if (f->nic.gbits > 0)
        snprintf(what, sizeof what, "%s %.0f Gb/s", f->nic.name, f->nic.gbits);
    else
        snprintf(what, sizeof what, "%s (rate unknown)", f->nic.name[0] ? f->nic.name : "no NIC");
    add_hop(r, GX_LINK_NIC, f->rank, gx_nic_line_gbs(&f->nic), f->nic.src, what);
}

static const struct gx_peer_link *peer_of(const struct gx_link_facts *a, int rank)
{
    for (int i = 0; i < a->npeers && i < GX_LINK_PEERS; i++)
        if (a->peers[i].rank == rank)
            return &a->peers[i];
    return NULL;
}

static void sort_hops(struct gx_route *r)
{
    for (int i = 1; i < r->nhops; i++)
        for (int j = i; j > 0; j--) {
            struct gx_hop *x = &r->hops[j - 1], *y = &r->hops[j];
            int swap = y->gbs > 0 && (x->gbs <= 0 || y->gbs < x->gbs);
            if (!swap)
                break;
            struct gx_hop t = *x;
            *x = *y;
            *y = t;
        }
}

void gx_route_pair(const struct gx_link_facts *a, const struct gx_link_facts *b, int a_dev,
                   int b_dev, int via_host, struct gx_route *out)
{
    memset(out, 0, sizeof *out);
    int same_node = a->node == b->node;
    a_dev = a_dev && a->has_gpu;
    b_dev = b_dev && b->has_gpu;
    int same_gpu = same_node && a_dev && b_dev && strcmp(a->busid, b->busid) == 0;
    if (same_node && !a_dev && !b_dev) {
        snprintf(out->why, sizeof out->why, "host memory on one node: no link between them");
        return;
    }
    if (same_gpu && !via_host) {
        snprintf(out->why, sizeof out->why, "the same GPU: its own memory, no link");
        return;
    }
    const struct gx_peer_link *pl = same_node ? peer_of(a, b->rank) : NULL;
    if (a_dev && b_dev && !via_host && pl && pl->nvlinks > 0) {
        char what[96];
        double gbs = nvlink_line_gbs(&a->nvlink, pl->nvlinks, what, sizeof what);
        add_hop(out, GX_LINK_NVLINK, -1, gbs, GX_SRC_NVML, what);
    } else {
        if (a_dev) /* each GPU's host link; across nodes both NICs; sockets' link */
            add_host_link(out, a);
        if (!same_node) {
            add_nic(out, a);
            add_nic(out, b);
        } else if (a_dev && b_dev && pl && strcmp(pl->pci, "SYS") == 0)
            add_hop(out, GX_LINK_SOCKET, -1, 0, GX_SRC_NONE, "the link between sockets");
        if (b_dev && !same_gpu)
            add_host_link(out, b);
        out->one_link = same_gpu;
    }
    sort_hops(out);
    out->line_gbs = out->nhops ? out->hops[0].gbs : 0;
    for (int i = 0; i < out->nhops; i++)
        if (out->hops[i].gbs <= 0)
            out->partial = 1;
    if (out->line_gbs <= 0)
        snprintf(out->why, sizeof out->why, out->nhops ? "no rate known for any link of the route"
                                                       : "no GPU or NIC on the route");
}

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
