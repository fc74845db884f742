#include "config.h"
#include "topo.h"

#include "file_util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const gx_bind_policy_names[] = {"auto", "numa", "core", "none"};

int gx_topo_load(hwloc_topology_t *topo, const char *xml, const char *what, struct gx_err *err)
{
    int foreign = xml && xml[0];
    if (foreign) {
        /* hwloc only says "load failed"; name the file and the reason first. */
        int fd = gx_open_regular(xml); /* hwloc would wait forever on a FIFO */
        if (fd < 0)
            return gx_fail(err, GX_EINPUT, "%s: cannot read '%s': %s (expected an hwloc XML "
                           "topology file)", what, xml,
                           errno == EINVAL ? "not a regular file" : strerror(errno));
        struct stat st; /* hwloc parses a huge file for longer than start-up may take */
        int big = fstat(fd, &st) == 0 && st.st_size > (off_t)GX_TOPO_XML_MAX;
        close(fd);
        if (big)
            return gx_fail(err, GX_EINPUT, "%s: '%s' is %.1f MiB, more than an hwloc XML "
                           "topology of a node (at most %d MiB)", what, xml,
                           (double)st.st_size / (1 << 20), GX_TOPO_XML_MAX >> 20);
    }
    *topo = NULL;
    if (hwloc_topology_init(topo) != 0)
        return gx_fail(err, GX_ERUNTIME, "hwloc_topology_init failed");
    int filtered = hwloc_topology_set_io_types_filter(*topo, HWLOC_TYPE_FILTER_KEEP_IMPORTANT) == 0;
    if (filtered && (!foreign || hwloc_topology_set_xml(*topo, xml) == 0) &&
        hwloc_topology_load(*topo) == 0)
        return GX_OK;
    int e = errno;
    hwloc_topology_destroy(*topo);
    *topo = NULL; /* the caller may destroy what it got */
    if (!filtered)
        return gx_fail(err, GX_ERUNTIME, "hwloc_topology_set_io_types_filter failed");
    if (foreign)
        return gx_fail(err, GX_EINPUT, "%s: '%s' is not a valid hwloc XML topology (expected the "
                       "output of lstopo --of xml)", what, xml);
    return gx_fail(err, GX_ERUNTIME, "hwloc_topology_load failed: %s", strerror(e));
}

int gx_topo_check_inputs(const char *given, const char *fake_gpus, struct gx_err *err)
{
    const char *xml = given && given[0] ? given : getenv("GPUXFER_TOPOLOGY_XML");
    int foreign = xml && xml[0];
    if (!foreign && !(fake_gpus && fake_gpus[0]))
        return GX_OK;
    hwloc_topology_t topo = NULL;
    GX_TRY(gx_topo_load(&topo, foreign ? xml : NULL,
                        given && given[0] ? "--topology-xml" : "GPUXFER_TOPOLOGY_XML", err));
    char list[1024]; /* the run's check (topo_setup.c), with its words */
    snprintf(list, sizeof list, "%s", fake_gpus ? fake_gpus : "");
    int rc = GX_OK;
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok && rc == GX_OK;
         tok = strtok_r(NULL, ",", &save))
        if (!gx_topo_pcidev(topo, tok))
            rc = gx_fail(err, GX_EINPUT, "--fake-gpus: bus id '%s' is not a PCI device in the "
                         "topology of %s (expected the bus id of a GPU in it)", tok,
                         foreign ? xml : "this machine");
    hwloc_topology_destroy(topo);
    return rc;
}

int gx_busid_normalize(const char *in, char *out, size_t len)
{
    unsigned dom = 0, bus, dev, fn;
    int n = -1;
    size_t l = strlen(in);
    if (l == 0 || l > 20)
        return -1;
    for (const char *p = in; *p; p++)
        if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
            return -1;
    if (sscanf(in, "%x:%x:%x.%x%n", &dom, &bus, &dev, &fn, &n) != 4 || (size_t)n != l) {
        dom = 0;
        n = -1;
        if (sscanf(in, "%x:%x.%x%n", &bus, &dev, &fn, &n) != 3 || (size_t)n != l)
            return -1;
    }
    if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
        return -1;
    snprintf(out, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
    return 0;
}

hwloc_obj_t gx_topo_pcidev(hwloc_topology_t topo, const char *busid)
{
    char norm[GX_BUSID_LEN];
    if (gx_busid_normalize(busid, norm, sizeof norm) != 0)
        return NULL;
    return hwloc_get_pcidev_by_busidstring(topo, norm);
}

static int is_nvidia_gpu(hwloc_obj_t pci)
{
    unsigned cls = pci->attr->pcidev.class_id;
    return pci->attr->pcidev.vendor_id == 0x10de && (cls == 0x0300 || cls == 0x0302);
}

static unsigned long pci_key(hwloc_obj_t o)
{
    const struct hwloc_pcidev_attr_s *x = &o->attr->pcidev;
    return (unsigned long)x->domain << 16 | (unsigned)x->bus << 8 | (unsigned)x->dev << 3 | x->func;
}

int gx_topo_nvidia_index(hwloc_topology_t topo, hwloc_obj_t pci)
{
    if (!pci || !is_nvidia_gpu(pci))
        return -1;
    int idx = 0;
    for (hwloc_obj_t o = NULL; (o = hwloc_get_next_pcidev(topo, o));)
        if (o != pci && is_nvidia_gpu(o) && pci_key(o) < pci_key(pci))
            idx++;
    return idx;
}

/* hwloc_get_common_ancestor_obj compares depths, negative for I/O objects: walk the parents. */
static hwloc_obj_t common_ancestor(hwloc_obj_t a, hwloc_obj_t b)
{
    for (hwloc_obj_t x = a; x; x = x->parent)
        for (hwloc_obj_t y = b; y; y = y->parent)
            if (x == y)
                return x;
    return NULL;
}

static int is_host_bridge(hwloc_obj_t o)
{
    return o->type == HWLOC_OBJ_BRIDGE &&
           o->attr->bridge.upstream_type == HWLOC_OBJ_BRIDGE_HOST;
}

static int bridges_below(hwloc_obj_t from, hwloc_obj_t ancestor)
{
    int n = 0;
    for (hwloc_obj_t o = from->parent; o && o != ancestor; o = o->parent)
        n += o->type == HWLOC_OBJ_BRIDGE;
    return n;
}

/* The PCI device of an OS device, so that a NIC's functions count as one device. */
static hwloc_obj_t pci_of(hwloc_obj_t o)
{
    while (o && o->type == HWLOC_OBJ_OS_DEVICE)
        o = o->parent;
    return o;
}

const char *gx_topo_pci_link(hwloc_topology_t topo, hwloc_obj_t a, hwloc_obj_t b)
{
    a = pci_of(a);
    b = pci_of(b);
    if (!a || !b)
        return "SYS";
    if (a == b)
        return "X";
    hwloc_obj_t c = common_ancestor(a, b);
    if (c && c->type == HWLOC_OBJ_BRIDGE) {
        if (is_host_bridge(c))
            return "PHB";
        /* Below one switch, each device sits behind one downstream port of it: PIX. */
        int na = bridges_below(a, c), nb = bridges_below(b, c);
        return na <= 1 && nb <= 1 ? "PIX" : "PXB";
    }
    if (c && c->type == HWLOC_OBJ_PCI_DEVICE)
        return "PIX";
    hwloc_obj_t ca = hwloc_get_non_io_ancestor_obj(topo, a);
    hwloc_obj_t cb = hwloc_get_non_io_ancestor_obj(topo, b);
    if (ca && cb && ca->nodeset && cb->nodeset && hwloc_bitmap_intersects(ca->nodeset, cb->nodeset))
        return "NODE";
    return "SYS";
}

static int hops(hwloc_obj_t from, hwloc_obj_t to)
{
    hwloc_obj_t c = common_ancestor(from, to);
    int n = 0;
    for (hwloc_obj_t o = from; o && o != c; o = o->parent)
        n++;
    return n;
}

/* The NIC nearest a GPU: an OpenFabrics device if any (the HPC fabric), else a network one. */
static hwloc_obj_t nearest_nic(hwloc_topology_t topo, hwloc_obj_t gpu)
{
    int have_of = 0;
    for (hwloc_obj_t o = NULL; (o = hwloc_get_next_osdev(topo, o));)
        have_of |= o->attr->osdev.type == HWLOC_OBJ_OSDEV_OPENFABRICS;
    hwloc_obj_osdev_type_t want = have_of ? HWLOC_OBJ_OSDEV_OPENFABRICS : HWLOC_OBJ_OSDEV_NETWORK;
    hwloc_obj_t best = NULL;
    int best_hops = 0;
    for (hwloc_obj_t o = NULL; gpu && (o = hwloc_get_next_osdev(topo, o));) {
        if (o->attr->osdev.type != want || !o->name)
            continue;
        int h = hops(gpu, o);
        if (!best || h < best_hops) /* ties: the first in topology order, which is stable */
            best = o, best_hops = h;
    }
    return best;
}

void gx_binding_free(struct gx_binding *bind)
{
    hwloc_bitmap_free(bind->local);
    hwloc_bitmap_free(bind->cpuset);
    hwloc_bitmap_free(bind->nodeset);
    bind->local = bind->cpuset = bind->nodeset = NULL;
}

static hwloc_obj_type_t unit_type(hwloc_topology_t topo, hwloc_const_cpuset_t set)
{
    return hwloc_get_nbobjs_inside_cpuset_by_type(topo, set, HWLOC_OBJ_CORE) > 0
               ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
}

static void numa_list(hwloc_topology_t topo, hwloc_const_nodeset_t ns, char *buf, size_t len)
{
    buf[0] = '\0';
    for (hwloc_obj_t n = NULL; (n = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, n));)
        if (hwloc_bitmap_isset(ns, n->os_index))
            snprintf(buf + strlen(buf), len - strlen(buf), "%s%u", buf[0] ? "," : "",
                     n->os_index);
}

/* The GPU's CPU-side locality and this rank's place among the ranks sharing it (NULL: no GPU). */
static int binding_locality(hwloc_topology_t topo, const char (*busids)[GX_BUSID_LEN],
                            int local_size, int local_rank, struct gx_binding *bind,
                            hwloc_obj_t *anc, struct gx_err *err)
{
    *anc = NULL;
    hwloc_obj_t gpu = busids[local_rank][0] ? gx_topo_pcidev(topo, busids[local_rank]) : NULL;
    if (!gpu) {
        snprintf(bind->reason, sizeof bind->reason, "%s", busids[local_rank][0]
                 ? "the GPU is not in the topology: binding left as it is"
                 : "no GPU: binding left as it is");
        return GX_OK;
    }
    bind->has_gpu = 1;
    hwloc_obj_t a = hwloc_get_non_io_ancestor_obj(topo, gpu);
    if (!a || !a->cpuset || !a->nodeset)
        return gx_fail(err, GX_ERUNTIME, "hwloc: the GPU %s has no CPU-side ancestor",
                       busids[local_rank]);
    if (hwloc_bitmap_copy(bind->local, a->cpuset) != 0)
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    numa_list(topo, a->nodeset, bind->numa, sizeof bind->numa);
    hwloc_obj_t nic = nearest_nic(topo, gpu);
    if (nic) {
        snprintf(bind->nic, sizeof bind->nic, "%s", nic->name);
        bind->nic_link = gx_topo_pci_link(topo, gpu, nic);
    }

    /* Local ranks whose GPUs share this locality divide its cores, in node-local rank order. */
    for (int i = 0; i < local_size; i++) {
        hwloc_obj_t g = busids[i][0] ? gx_topo_pcidev(topo, busids[i]) : NULL;
        hwloc_obj_t o = g ? hwloc_get_non_io_ancestor_obj(topo, g) : NULL;
        if (!o || !o->cpuset || !hwloc_bitmap_isequal(o->cpuset, a->cpuset))
            continue;
        if (i < local_rank)
            bind->group_index++;
        bind->group_size++;
    }
    *anc = a;
    return GX_OK;
}

static void binding_decide(hwloc_topology_t topo, hwloc_const_cpuset_t current,
                           enum gx_bind_policy policy, hwloc_obj_type_t ut, int n, int first,
                           int last, struct gx_binding *bind)
{
    const char *unit = ut == HWLOC_OBJ_CORE ? "cores" : "PUs";
    int k = bind->group_size, i = bind->group_index;
    char share[96];
    snprintf(share, sizeof share, "%d of %d ranks sharing that locality", i + 1, k);
    int launcher_bound = current && !hwloc_bitmap_iszero(current) &&
                         !hwloc_bitmap_isincluded(hwloc_topology_get_topology_cpuset(topo),
                                                  current);
    if (policy == GX_BIND_AUTO && launcher_bound &&
        hwloc_bitmap_isincluded(current, bind->local)) {
        bind->decision = "keep";
        hwloc_bitmap_copy(bind->cpuset, current);
        snprintf(bind->reason, sizeof bind->reason, "the launcher's binding is already local to "
                 "the GPU: kept; memory bound to NUMA %s", bind->numa);
        return;
    }
    bind->decision = launcher_bound && policy == GX_BIND_AUTO ? "rebind" : "bind";
    const char *why = !launcher_bound ? ""
                      : policy == GX_BIND_AUTO ? "the launcher's binding is not local to the GPU; "
                                               : "overrides the launcher's binding; ";
    if (policy == GX_BIND_NUMA)
        snprintf(bind->reason, sizeof bind->reason, "--bind numa: %sall %d %s local to the GPU "
                 "(NUMA %s)", why, n, unit, bind->numa);
    else
        snprintf(bind->reason, sizeof bind->reason, "--bind %s: %s%s %d-%d of the %d local to "
                 "the GPU (NUMA %s), %s%s", gx_bind_policy_names[policy], why, unit, first,
                 last - 1, n, bind->numa, share,
                 (long)k > (long)n && policy == GX_BIND_AUTO ? "; more ranks than cores, so "
                                                               "some share one" : "");
}

int gx_binding_make(hwloc_topology_t topo, const char (*busids)[GX_BUSID_LEN], int local_size,
                    int local_rank, enum gx_bind_policy policy, hwloc_const_cpuset_t current,
                    struct gx_binding *bind, struct gx_err *err)
{
    memset(bind, 0, sizeof *bind);
    bind->policy = policy;
    bind->decision = "none";
    bind->local = hwloc_bitmap_alloc();
    bind->cpuset = hwloc_bitmap_alloc();
    bind->nodeset = hwloc_bitmap_alloc();
    hwloc_obj_t anc = NULL;
    int rc = !bind->local || !bind->cpuset || !bind->nodeset
                 ? gx_fail(err, GX_ERUNTIME, "out of host memory")
                 : binding_locality(topo, busids, local_size, local_rank, bind, &anc, err);
    if (rc != GX_OK) {
        gx_binding_free(bind);
        return rc;
    }
    if (!anc)
        return GX_OK;
    if (policy == GX_BIND_NONE) {
        snprintf(bind->reason, sizeof bind->reason, "--bind none: binding left as it is");
        return GX_OK;
    }
    hwloc_obj_type_t ut = unit_type(topo, bind->local);
    int n = hwloc_get_nbobjs_inside_cpuset_by_type(topo, bind->local, ut);
    if (n <= 0) {
        snprintf(bind->reason, sizeof bind->reason, "no CPUs local to the GPU: binding left as "
                 "it is");
        return GX_OK;
    }
    int k = bind->group_size, i = bind->group_index;
    int first = (int)((long)i * n / k), last = (int)((long)(i + 1) * n / k);
    if (last <= first)
        last = first + 1; /* more ranks than cores: neighbours share one */
    if (policy == GX_BIND_CORE)
        last = first + 1;
    if (policy == GX_BIND_NUMA) {
        hwloc_bitmap_copy(bind->cpuset, bind->local);
    } else {
        for (int u = first; u < last; u++) {
            hwloc_obj_t o = hwloc_get_obj_inside_cpuset_by_type(topo, bind->local, ut, u);
            if (o)
                hwloc_bitmap_or(bind->cpuset, bind->cpuset, o->cpuset);
        }
    }
    hwloc_bitmap_copy(bind->nodeset, anc->nodeset);
    bind->apply = 1;
    binding_decide(topo, current, policy, ut, n, first, last, bind);
    return GX_OK;
}

int gx_topo_shares_gpu(const struct gx_topo_rank *t, int peer)
{
    for (int i = 0; t && i < t->nshared; i++)
        if (t->shared_with[i] == peer)
            return 1;
    return 0;
}

/* The NIC a rank's traffic leaves by; one on the other socket costs every message: flagged. */
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
        int nic = t == HWLOC_OBJ_OSDEV_NETWORK || t == HWLOC_OBJ_OSDEV_OPENFABRICS;
        if (!o->name || (type >= 0 ? t != type : !nic))
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
        nic = nearest_nic(topo, gpu);
    }
    if (nic) {
        snprintf(out->name, sizeof out->name, "%s", nic->name);
        out->link = gpu ? gx_topo_pci_link(topo, gpu, nic) : NULL;
    }
    out->place = gpu ? place_of(out->link, &out->flagged) : "no GPU";
}
