/* The NIC a rank's traffic leaves by; one on the other socket costs every message: flagged. */
#include "topo.h"

#include <string.h>

static int link_rank(const char *link)
{
    static const char *const order[] = {"X", "PIX", "PXB", "PHB", "NODE", "SYS"};
    for (size_t i = 0; i < GX_ARRAY_LEN(order); i++)
        if (strcmp(link, order[i]) == 0)
            return (int)i;
    return (int)GX_ARRAY_LEN(order);
}

/* Whether `name` is in a device list (NCCL's syntax: '^' excludes, '=' exact, else prefixes). */
static int listed(const char *list, const char *name, int prefix)
{
    int exclude = list[0] == '^', exact = list[0] == '=' || !prefix;
    const char *p = list + (list[0] == '^' || list[0] == '=');
    int hit = 0;
    while (*p && !hit) {
        size_t n = strcspn(p, ",");
        size_t l = strcspn(p, ":,");
        hit = l > 0 && (exact ? strlen(name) == l && strncmp(name, p, l) == 0
                              : strncmp(name, p, l) == 0);
        p += n + (p[n] == ',');
    }
    return exclude ? !hit : hit;
}

static void first_entry(const char *list, char *out, size_t len)
{
    const char *p = list + (list[0] == '=');
    size_t l = list[0] == '^' ? 0 : strcspn(p, ":,");
    char raw[256];
    snprintf(raw, sizeof raw, "%.*s", (int)(l < sizeof raw ? l : sizeof raw - 1), p);
    gx_text_shown(out, len, raw);
}

static const char *place_of(const char *link, int *flagged)
{
    *flagged = 0;
    if (!link)
        return "unknown";
    int r = link_rank(link);
    if (r <= 2)
        return "pcie-switch"; /* X, PIX, PXB: one PCIe switch tree, no host bridge crossed */
    if (r <= 4)
        return "numa-node";   /* PHB, NODE: through the CPU, on the GPU's socket */
    *flagged = 1;
    return "other-socket";
}

static hwloc_obj_t pick(hwloc_topology_t topo, hwloc_obj_t gpu, int type, const char *list,
                        int prefix)
{
    hwloc_obj_t best = NULL;
    int best_rank = 0;
    for (hwloc_obj_t o = NULL; (o = hwloc_get_next_osdev(topo, o));) {
        int t = (int)o->attr->osdev.type;
        if (!o->name || (type >= 0 ? t != type
                                   : t != HWLOC_OBJ_OSDEV_NETWORK && t != HWLOC_OBJ_OSDEV_OPENFABRICS))
            continue;
        if (list && !listed(list, o->name, prefix))
            continue;
        int r = gpu ? link_rank(gx_topo_pci_link(topo, gpu, o)) : 0;
        if (!best || r < best_rank)
            best = o, best_rank = r;
    }
    return best;
}

/* A subnet ("10.1.0.0/16") names no interface by itself: that rule leaves the choice. */
static const char *interfaces_only(const char *list)
{
    return list && !strchr(list, '/') ? list : NULL;
}

void gx_topo_nic_in_use(hwloc_topology_t topo, hwloc_obj_t gpu, const char *ucx_devices,
                        const char *btl_tcp_if, const char *nccl_ib_hca, const char *nccl_ifname,
                        struct gx_nic_use *out)
{
    memset(out, 0, sizeof *out);
    struct {
        const char *var, *list;
        int type, prefix;
    } rules[] = {
        /* UCX names devices exactly; "all" is its default: no choice made. */
        {"UCX_NET_DEVICES", ucx_devices && strcmp(ucx_devices, "all") != 0 ? ucx_devices : NULL,
         -1, 0},
        /* Open MPI's TCP BTL: exact interface names (or subnets, which name none). */
        {"OMPI_MCA_btl_tcp_if_include", interfaces_only(btl_tcp_if), HWLOC_OBJ_OSDEV_NETWORK, 0},
        {"NCCL_IB_HCA", nccl_ib_hca, HWLOC_OBJ_OSDEV_OPENFABRICS, 1},
        {"NCCL_SOCKET_IFNAME", nccl_ifname, HWLOC_OBJ_OSDEV_NETWORK, 1},
    };
    hwloc_obj_t nic = NULL;
    for (size_t i = 0; i < GX_ARRAY_LEN(rules) && !out->source; i++) {
        if (!rules[i].list || !rules[i].list[0])
            continue;
        out->source = rules[i].var;
        nic = pick(topo, gpu, rules[i].type, rules[i].list, rules[i].prefix);
        if (!nic) /* named, but not in this topology (or only excluded): say what was asked */
            first_entry(rules[i].list, out->name, sizeof out->name);
    }
    if (!out->source) {
        out->source = "hwloc nearest";
        const char *link;
        gx_topo_nearest_nic(topo, gpu, out->name, sizeof out->name, &link);
        nic = out->name[0] && gpu ? pick(topo, gpu, -1, out->name, 0) : NULL;
    }
    if (nic) {
        snprintf(out->name, sizeof out->name, "%s", nic->name);
        out->link = gpu ? gx_topo_pci_link(topo, gpu, nic) : NULL;
    }
    out->place = gpu ? place_of(out->link, &out->flagged) : "no GPU";
}
