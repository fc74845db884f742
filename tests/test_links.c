/* The link arithmetic (PCIe per generation, NVLink per NVML version), the routes of pairs (the
 * narrowest link first, unknown rates last) and the health checks, on typed facts. */
#include "links.h"
#include "tap.h"

#include <string.h>

static struct gx_link_facts gpu(int rank, int node, const char *bus, int cur_gen, int cur_w,
                                int max_gen, int max_w, int links, int active)
{
    struct gx_link_facts f;
    memset(&f, 0, sizeof f);
    f.rank = rank;
    f.node = node;
    f.has_gpu = 1;
    snprintf(f.busid, sizeof f.busid, "%s", bus);
    f.pcie = (struct gx_pcie_facts){.cur_gen = cur_gen, .cur_width = cur_w, .max_gen = max_gen,
                                    .max_width = max_w, .cur_src = GX_SRC_NVML,
                                    .max_src = GX_SRC_NVML};
    f.nvlink = (struct gx_nvlink_facts){.nvml_version = 6, .links = links, .active = active};
    return f;
}

static void peer(struct gx_link_facts *f, int rank, int nvlinks, const char *pci)
{
    struct gx_peer_link *p = &f->peers[f->npeers++];
    p->rank = rank;
    p->nvlinks = nvlinks;
    snprintf(p->pci, sizeof p->pci, "%s", pci);
}

static int has(const struct gx_health *h, int n, const char *check, int rank, const char *text)
{
    for (int i = 0; i < n; i++)
        if (strcmp(h[i].check, check) == 0 && h[i].rank == rank && strstr(h[i].line, text))
            return 1;
    return 0;
}

int main(void)
{
    /* PCIe: lane rate x width x encoding / 8. */
    ok(near(gx_pcie_gbs(3, 16), 8.0 * 16 * 128 / 130 / 8), "gen3 x16: %.4f GB/s (hwloc: 15.75)",
       gx_pcie_gbs(3, 16));
    ok(near(gx_pcie_gbs(5, 16), 32.0 * 16 * 128 / 130 / 8), "gen5 x16: %.4f GB/s (hwloc: 63.02)",
       gx_pcie_gbs(5, 16));
    ok(near(gx_pcie_gbs(1, 16), 2.5 * 16 * 0.8 / 8) && near(gx_pcie_gbs(2, 8), 5.0 * 8 * 0.8 / 8),
       "gen1 and gen2: 8b/10b");
    ok(near(gx_pcie_gbs(4, 8), 16.0 * 8 * 128 / 130 / 8), "gen4 x8: %.3f GB/s", gx_pcie_gbs(4, 8));
    ok(near(gx_pcie_gbs(6, 16), 128.0), "gen6 x16: 128 GB/s (FLIT mode, no line encoding)");
    ok(gx_pcie_gbs(7, 16) == 0 && gx_pcie_gbs(5, 0) == 0, "unknown gen or width: 0, no guess");
    ok(gx_pcie_gen_of_gts(16.0) == 4 && gx_pcie_gen_of_gts(2.5) == 1 &&
       gx_pcie_gen_of_gts(3.0) == 0, "sysfs GT/s to a generation");

    /* NVLink: NVML's version values are an enum, not the generation. */
    double per = 0;
    ok(gx_nvlink_generation(6, &per) == 4 && near(per, 25), "NVML version 6: NVLink 4, 25 GB/s");
    ok(gx_nvlink_generation(7, &per) == 5 && near(per, 50), "NVML version 7: NVLink 5, 50 GB/s");
    ok(gx_nvlink_generation(4, &per) == 3 && near(per, 25), "NVML version 4: NVLink 3 (A100)");
    ok(gx_nvlink_generation(99, &per) == 0 && per == 0, "an unknown version: unknown rate");

    /* Routes on one NVSwitch node: GPU 1 with a link down, GPU 3 at gen4 x8. */
    struct gx_link_facts f[4];
    f[0] = gpu(0, 0, "0000:00:06.0", 5, 16, 5, 16, 18, 18);
    f[1] = gpu(1, 0, "0000:00:07.0", 5, 16, 5, 16, 18, 17);
    f[2] = gpu(2, 0, "0000:00:08.0", 5, 16, 5, 16, 18, 18);
    f[3] = gpu(3, 0, "0000:00:09.0", 4, 8, 5, 16, 18, 18);
    peer(&f[0], 1, 17, "");
    peer(&f[2], 3, 0, "SYS");
    struct gx_route r;
    gx_route_pair(&f[0], &f[1], 1, 1, 0, &r);
    ok(r.nhops == 1 && r.hops[0].kind == GX_LINK_NVLINK && near(r.line_gbs, 17 * 25.0),
       "device to device over NVSwitch: NVLink 4, 17 links, %.1f GB/s", r.line_gbs);
    gx_route_pair(&f[0], &f[1], 1, 1, 1, &r);
    ok(r.nhops == 2 && r.hops[0].kind == GX_LINK_PCIE && near(r.line_gbs, gx_pcie_gbs(5, 16)),
       "staged (through the host): both PCIe links, %.2f GB/s", r.line_gbs);
    gx_route_pair(&f[2], &f[3], 1, 1, 0, &r);
    ok(r.nhops == 3 && r.hops[0].rank == 3 && r.hops[2].kind == GX_LINK_SOCKET && r.partial &&
       near(r.line_gbs, gx_pcie_gbs(5, 8)),
       "no NVLink, SYS: the narrowest first (rank 3's x8 at its max gen: %.2f), the socket link "
       "last, unknown", r.line_gbs);
    f[3].pcie.under_load = 1;
    gx_route_pair(&f[2], &f[3], 1, 1, 0, &r);
    ok(near(r.line_gbs, gx_pcie_gbs(4, 8)), "read under load: gen4 x8, %.2f GB/s", r.line_gbs);
    gx_route_pair(&f[0], &f[0], 1, 1, 0, &r);
    ok(r.nhops == 0 && r.line_gbs == 0 && strstr(r.why, "same GPU"), "the same GPU: no link");
    gx_route_pair(&f[0], &f[1], 0, 0, 0, &r);
    ok(r.nhops == 0 && r.line_gbs == 0, "host memory on one node: no link");
    gx_route_pair(&f[0], &f[1], 0, 1, 0, &r);
    ok(r.nhops == 1 && r.hops[0].rank == 1, "host to device: the device side's PCIe link");

    /* Across nodes: both NICs and both PCIe links; a NIC without a rate is unknown. */
    struct gx_link_facts a = gpu(0, 0, "0000:00:06.0", 5, 16, 5, 16, -1, -1);
    struct gx_link_facts b = gpu(1, 1, "0000:00:06.0", 5, 16, 5, 16, -1, -1);
    snprintf(a.nic.name, sizeof a.nic.name, "mlx5_0");
    a.nic.gbits = 400;
    a.nic.src = GX_SRC_SYSFS;
    snprintf(a.nic.where, sizeof a.nic.where, "/sys/class/infiniband/mlx5_0/ports/1/rate");
    b.nic = a.nic;
    b.nic.gbits = 200;
    gx_route_pair(&a, &b, 1, 1, 0, &r);
    ok(r.nhops == 4 && r.hops[0].kind == GX_LINK_NIC && r.hops[0].rank == 1 &&
       near(r.line_gbs, 25.0) && !r.partial, "across nodes: the 200 Gb/s NIC first, 25 GB/s");

    /* Health. */
    struct gx_health h[16];
    f[3].pcie.under_load = 0;
    int n = gx_health_from_facts(f, 4, h, 16);
    ok(has(h, n, "pcie-below-max", 3, "x8") && has(h, n, "nvlink-down", 1, "1 NVLink down"),
       "GPU 3's x8 (gen read at idle) and GPU 1's link down are named");
    ok(n == 2, "nothing else: %d lines", n);
    for (int i = 0; i < n; i++)
        printf("# %s: %s [%s]\n", h[i].check, h[i].line, h[i].evidence);
    f[3].pcie.cur_width = 16;
    n = gx_health_from_facts(f, 4, h, 16);
    ok(n == 1 && !has(h, n, "pcie-below-max", 3, ""), "gen4 read at idle, full width: not judged");
    f[3].pcie.under_load = 1;
    n = gx_health_from_facts(f, 4, h, 16);
    ok(has(h, n, "pcie-below-max", 3, "gen4"), "gen4 read under load: named");
    f[1].nvlink.links = 17; /* NVML lists only the active ones: the siblings tell */
    n = gx_health_from_facts(f, 4, h, 16);
    ok(has(h, n, "nvlink-below-siblings", 1, "17"), "17 of 17 active, siblings 18: named");
    struct gx_link_facts ab[2] = {a, b};
    n = gx_health_from_facts(ab, 2, h, 16);
    ok(n == 1 && has(h, n, "nic-below-siblings", 1, "200 Gb/s"), "the 200 Gb/s NIC is named");
    struct gx_link_facts twice[2] = {f[3], f[3]};
    twice[1].rank = 9;
    n = gx_health_from_facts(twice, 2, h, 16);
    ok(n == 1, "a GPU two ranks share is judged once");
    return tap_done();
}
