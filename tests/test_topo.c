/* Prints the GPU choice and binding decisions of every local rank of a topology, in a stable
 * text form that tests/topo_golden.sh compares with tests/golden/.
 *
 * test_topo XML BUSIDS NRANKS [--cvd LIST | --cvd-per-rank L0;L1;...] [--gpu-map LIST]
 *           [--bind auto|numa|core|none] [--current CPUSET]
 * BUSIDS stands in for the CUDA device list (as --fake-gpus does); --cvd is
 * CUDA_VISIBLE_DEVICES for every rank, --cvd-per-rank one per rank (as Slurm's
 * --gpus-per-task sets it); --current is the binding the launcher gave every rank. */
#include "config.h"
#include "topo.h"

#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: test_topo XML BUSIDS NRANKS [--cvd LIST | --cvd-per-rank L0;L1;..] "
                    "[--gpu-map LIST] [--bind POLICY] [--current CPUSET]\n");
    return 2;
}

static const char *uuid_of(hwloc_obj_t pci)
{
    for (hwloc_obj_t o = pci->io_first_child; o; o = o->next_sibling) {
        const char *u = hwloc_obj_get_info_by_name(o, "NVIDIAUUID");
        if (u)
            return u;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return usage();
    const char *xml = argv[1], *cvd = NULL, *cvd_per_rank = NULL, *current_s = NULL;
    int nranks = atoi(argv[3]);
    int map[GX_MAX_GPUS], nmap = 0;
    enum gx_bind_policy policy = GX_BIND_AUTO;
    for (int i = 4; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--cvd") == 0)
            cvd = argv[i + 1];
        else if (strcmp(argv[i], "--cvd-per-rank") == 0)
            cvd_per_rank = argv[i + 1];
        else if (strcmp(argv[i], "--current") == 0)
            current_s = argv[i + 1];
        else if (strcmp(argv[i], "--gpu-map") == 0) {
            char buf[256];
            snprintf(buf, sizeof buf, "%s", argv[i + 1]);
            for (char *s = NULL, *t = strtok_r(buf, ",", &s); t && nmap < GX_MAX_GPUS;
                 t = strtok_r(NULL, ",", &s))
                map[nmap++] = atoi(t);
        } else if (strcmp(argv[i], "--bind") == 0) {
            int k = 0;
            while (k < 4 && strcmp(gx_bind_policy_names[k], argv[i + 1]) != 0)
                k++;
            if (k == 4)
                return usage();
            policy = (enum gx_bind_policy)k;
        } else
            return usage();
    }
    if (nranks < 1 || nranks > GX_MAX_GPUS)
        return usage();

    struct gx_err err = {0};
    hwloc_topology_t topo;
    if (gx_topo_load(&topo, xml, "test_topo", &err) != GX_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    char phys[GX_MAX_GPUS][GX_BUSID_LEN];
    const char *uuids[GX_MAX_GPUS];
    int nphys = 0;
    char list[1024];
    snprintf(list, sizeof list, "%s", argv[2]);
    for (char *s = NULL, *t = strtok_r(list, ",", &s); t && nphys < GX_MAX_GPUS;
         t = strtok_r(NULL, ",", &s)) {
        hwloc_obj_t pci = gx_topo_pcidev(topo, t);
        if (!pci) {
            fprintf(stderr, "bus id %s is not in %s\n", t, xml);
            return 2;
        }
        gx_busid_normalize(t, phys[nphys], GX_BUSID_LEN);
        uuids[nphys++] = uuid_of(pci);
    }

    /* Each rank's view: its visible devices and its choice, as gx_topo_setup makes them. */
    char(*busids)[GX_BUSID_LEN] = calloc((size_t)nranks, sizeof *busids);
    int *vis = calloc((size_t)nranks, sizeof *vis), *phy = calloc((size_t)nranks, sizeof *phy);
    int *nvis = calloc((size_t)nranks, sizeof *nvis);
    if (!busids || !vis || !phy || !nvis)
        return 3;
    const char *next = cvd_per_rank;
    for (int r = 0; r < nranks; r++) {
        char mine[512];
        const char *c = cvd;
        if (next) {
            size_t l = strcspn(next, ";");
            snprintf(mine, sizeof mine, "%.*s", (int)l, next);
            next = next[l] ? next + l + 1 : next + l;
            c = mine;
        }
        int visible[GX_MAX_GPUS];
        gx_visible_devices(c, nphys, uuids, visible, &nvis[r]);
        phy[r] = vis[r] = -1;
        if (gx_gpu_choose(nvis[r], r, map, nmap, &vis[r], &err) != GX_OK) {
            printf("rank %d: error: %s\n", r, err.msg);
            continue;
        }
        if (vis[r] >= 0) {
            phy[r] = visible[vis[r]];
            snprintf(busids[r], GX_BUSID_LEN, "%s", phys[phy[r]]);
        }
    }

    hwloc_bitmap_t current = NULL;
    if (current_s) {
        current = hwloc_bitmap_alloc();
        if (!current || hwloc_bitmap_list_sscanf(current, current_s) != 0)
            return usage();
    }
    const char *base = strrchr(xml, '/');
    printf("# %s, %d local ranks, --bind %s%s%s%s%s%s%s\n", base ? base + 1 : xml, nranks,
           gx_bind_policy_names[policy], current_s ? ", launcher binding " : "",
           current_s ? current_s : "", cvd ? ", CUDA_VISIBLE_DEVICES=" : "", cvd ? cvd : "",
           cvd_per_rank ? ", CUDA_VISIBLE_DEVICES per rank " : "",
           cvd_per_rank ? cvd_per_rank : "");
    int rc = 0;
    for (int r = 0; r < nranks; r++) {
        struct gx_binding bind;
        if (gx_binding_make(topo, (const char(*)[GX_BUSID_LEN])busids, nranks, r, policy,
                            current, &bind, &err) != GX_OK) {
            printf("rank %d: error: %s\n", r, err.msg);
            rc = 1;
            continue;
        }
        char cpus[256] = "-";
        if (bind.apply)
            hwloc_bitmap_list_snprintf(cpus, sizeof cpus, bind.cpuset);
        printf("rank %d: gpu %d/%d phys %d bus %s numa %s cpuset %s nic %s%s%s%s decision %s\n",
               r, vis[r], nvis[r], phy[r], busids[r][0] ? busids[r] : "-",
               bind.numa[0] ? bind.numa : "-", cpus, bind.nic[0] ? bind.nic : "-",
               bind.nic_link ? " (" : "", bind.nic_link ? bind.nic_link : "",
               bind.nic_link ? ")" : "", bind.decision);
        gx_binding_free(&bind);
    }
    for (int a = 0; a < nranks; a++)
        for (int b = a + 1; b < nranks; b++) {
            hwloc_obj_t x = busids[a][0] ? gx_topo_pcidev(topo, busids[a]) : NULL;
            hwloc_obj_t y = busids[b][0] ? gx_topo_pcidev(topo, busids[b]) : NULL;
            printf("link %d-%d %s\n", a, b, x && y ? gx_topo_pci_link(topo, x, y) : "-");
        }
    hwloc_bitmap_free(current);
    free(busids);
    free(vis);
    free(phy);
    free(nvis);
    hwloc_topology_destroy(topo);
    return rc;
}
