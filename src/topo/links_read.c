/* This rank's link facts, each with its source: NVML, else sysfs, else hwloc. */
#include "config.h"
#include "links.h"
#include "topo.h"

#ifdef HAVE_CUDA
#include "cuda_util.h"
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *sysfs_root(int foreign)
{
    const char *r = getenv("GPUXFER_SYSFS_ROOT");
    if (r && r[0])
        return r;
    return foreign ? NULL : "/sys";
}

static int read_line(const char *root, const char *rel, char *buf, size_t len, char *path,
                     size_t plen)
{
    if (snprintf(path, plen, "%s/%s", root, rel) >= (int)plen)
        return -1; /* a root too long to name the file */
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

/* A PCIe link NVML left unknown, from sysfs: its generation and width both, or neither. */
static void sysfs_pcie(const char *root, const char *busid, const char *which, int *gen,
                       int *width, enum gx_src *src)
{
    char rel[160], buf[64], path[512];
    int g = 0, w = 0;
    if (!root || *gen)
        return;
    snprintf(rel, sizeof rel, "bus/pci/devices/%s/%s_link_speed", busid, which);
    if (read_line(root, rel, buf, sizeof buf, path, sizeof path) == 0)
        g = gx_pcie_gen_of_gts(strtod(buf, NULL));
    snprintf(rel, sizeof rel, "bus/pci/devices/%s/%s_link_width", busid, which);
    if (read_line(root, rel, buf, sizeof buf, path, sizeof path) == 0)
        w = atoi(buf);
    if (g && w)
        *gen = g, *width = w, *src = GX_SRC_SYSFS;
}

static void read_pcie(const struct gx_topo_rank *t, hwloc_obj_t pci, int nvml,
                      const char *root, struct gx_pcie_facts *p, struct gx_nvlink_facts *n)
{
    memset(p, 0, sizeof *p);
    memset(n, 0, sizeof *n);
    n->links = n->active = -1;
    if (nvml)
        gx_nvml_gpu_facts(t->busid, p, n);
    else {
        snprintf(p->why, sizeof p->why, "NVML not consulted for %s",
                 t->fake ? "--fake-gpus" : "a topology from XML");
        snprintf(n->why, sizeof n->why, "%s", p->why);
    }
    sysfs_pcie(root, t->busid, "current", &p->cur_gen, &p->cur_width, &p->cur_src);
    sysfs_pcie(root, t->busid, "max", &p->max_gen, &p->max_width, &p->max_src);
    /* hwloc's pci_link_speed (0 in VMs' virtual bridges): the rate where the others are unknown. */
    if (pci && pci->attr && pci->attr->pcidev.linkspeed > 0)
        p->hwloc_gbs = pci->attr->pcidev.linkspeed;
    if (!p->cur_gen && !p->hwloc_gbs && !p->why[0])
        snprintf(p->why, sizeof p->why, "no source knows the link");
}

#ifdef HAVE_CUDA
/* The current generation read again while the GPU copies: a GPU lowers its link at idle. */
static void read_under_load(const char *busid, struct gx_pcie_facts *p)
{
    const size_t bytes = (size_t)32 << 20;
    void *h = NULL, *d = NULL;
    cudaStream_t s = NULL;
    cudaEvent_t first = NULL; /* after the first half */
    int ok = cudaMallocHost(&h, bytes) == cudaSuccess && cudaMalloc(&d, bytes) == cudaSuccess &&
             cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) == cudaSuccess &&
             cudaEventCreateWithFlags(&first, cudaEventDisableTiming) == cudaSuccess;
    for (int i = 0; ok && i < 16; i++) {
        ok = cudaMemcpyAsync(d, h, bytes, cudaMemcpyHostToDevice, s) == cudaSuccess;
        if (ok && i == 7)
            ok = cudaEventRecord(first, s) == cudaSuccess;
    }
    int g = 0, w = 0;
    if (ok && cudaEventSynchronize(first) == cudaSuccess &&
        gx_nvml_pcie_current(busid, &g, &w) == 0) {
        p->cur_gen = g;
        p->cur_width = w;
        p->cur_src = GX_SRC_NVML;
        p->under_load = 1;
    }
    if (s && cudaStreamSynchronize(s) != cudaSuccess)
        p->under_load = 0;
    if (first)
        cudaEventDestroy(first);
    if (s)
        cudaStreamDestroy(s);
    if (d)
        cudaFree(d);
    if (h)
        cudaFreeHost(h);
    cudaGetLastError(); /* a failed reading leaves the idle one; no error is kept */
}
#endif

static void read_nic(const char *root, const char *name, struct gx_nic_facts *nic)
{
    char rel[200], buf[96], path[GX_LINK_WHY - 16];
    snprintf(nic->name, sizeof nic->name, "%s", name);
    if (!name[0]) {
        snprintf(nic->where, sizeof nic->where, "no NIC");
        return;
    }
    if (!root) {
        snprintf(nic->where, sizeof nic->where, "sysfs not read for a topology from XML");
        return;
    }
    snprintf(rel, sizeof rel, "class/infiniband/%s/ports/1/rate", name);
    double v = 0;
    if (read_line(root, rel, buf, sizeof buf, path, sizeof path) == 0 &&
        (v = strtod(buf, NULL)) > 0) {
        nic->gbits = v;
    } else {
        snprintf(rel, sizeof rel, "class/net/%s/speed", name);
        if (read_line(root, rel, buf, sizeof buf, path, sizeof path) == 0 &&
            (v = strtod(buf, NULL)) > 0) /* -1 where the link is down or the driver says none */
            nic->gbits = v / 1000.0;
    }
    if (nic->gbits > 0) {
        nic->src = GX_SRC_SYSFS;
        snprintf(nic->where, sizeof nic->where, "%s", path);
    } else
        snprintf(nic->where, sizeof nic->where, "no rate in %s/class/{infiniband,net}/%s",
                 root, name);
}

int gx_links_nvml_allowed(const struct gx_topo_rank *t)
{
    const char *fake_nvml = getenv("GPUXFER_FAKE_NVML");
    return !(t->fake || t->foreign) || (fake_nvml && strcmp(fake_nvml, "1") == 0);
}

void gx_links_read(int rank, int node, hwloc_topology_t topo, const struct gx_topo_rank *t,
                   struct gx_link_facts *f)
{
    memset(f, 0, sizeof *f);
    f->rank = rank;
    f->node = node;
    f->has_gpu = t->has_gpu;
    int stand_in = t->fake || t->foreign;
    int nvml = gx_links_nvml_allowed(t);
    const char *root = sysfs_root(stand_in);
    if (t->has_gpu) {
        snprintf(f->busid, sizeof f->busid, "%s", t->busid);
        read_pcie(t, gx_topo_pcidev(topo, t->busid), nvml, root, &f->pcie, &f->nvlink);
        if (nvml)
            gx_nvml_c2c_facts(t->busid, &f->c2c);
        else {
            f->c2c.links = f->c2c.active = -1;
            snprintf(f->c2c.why, sizeof f->c2c.why, "%s", f->nvlink.why);
        }
#ifdef HAVE_CUDA
        if (!stand_in && f->pcie.cur_src == GX_SRC_NVML)
            read_under_load(t->busid, &f->pcie);
#endif
    } else {
        f->nvlink.links = f->nvlink.active = -1;
        f->c2c.links = f->c2c.active = -1;
        snprintf(f->pcie.why, sizeof f->pcie.why, "no GPU");
    }
    read_nic(root, t->nic_use.name, &f->nic);
    for (int i = 0; i < t->nlinks && f->npeers < GX_LINK_PEERS; i++) {
        struct gx_peer_link *pl = &f->peers[f->npeers++];
        pl->rank = t->links[i].rank;
        int nv = 0;
        if (sscanf(t->links[i].link, "NV%d", &nv) == 1 && nv > 0)
            pl->nvlinks = nv;
        else
            snprintf(pl->pci, sizeof pl->pci, "%s", t->links[i].link);
    }
}
