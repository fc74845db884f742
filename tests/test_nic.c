/* NIC attribution on the fixtures (tests/topologies, copies of ../shared/topologies): which NIC
 * a rank uses, from which setting, and where it sits from the GPU. */
#include "tap.h"
#include "topo.h"

#include <stdlib.h>
#include <string.h>

static hwloc_topology_t load(const char *file)
{
    char path[4096];
    const char *src = getenv("top_srcdir");
    snprintf(path, sizeof path, "%s/tests/topologies/%s", src ? src : ".", file);
    hwloc_topology_t t = NULL;
    struct gx_err err = {0};
    if (gx_topo_load(&t, path, "test_nic", &err) != GX_OK) {
        printf("# %s\n", err.msg);
        return NULL;
    }
    return t;
}

static void is(hwloc_topology_t t, const char *gpu_bus, const char *ucx, const char *btl,
               const char *hca, const char *ifname, const char *name, const char *source,
               const char *place, int flagged, const char *what)
{
    hwloc_obj_t gpu = gpu_bus ? gx_topo_pcidev(t, gpu_bus) : NULL;
    struct gx_nic_use u;
    gx_topo_nic_in_use(t, gpu, ucx, btl, hca, ifname, &u);
    ok((!gpu_bus || gpu) && strcmp(u.name, name) == 0 && strcmp(u.source, source) == 0 &&
           strcmp(u.place, place) == 0 && u.flagged == flagged,
       "%s: %s from %s, %s%s (got %s from %s, %s%s, link %s)", what, name, source, place,
       flagged ? " flagged" : "", u.name, u.source, u.place, u.flagged ? " flagged" : "",
       u.link ? u.link : "-");
}

int main(void)
{
    /* 2 sockets; GPU 03:00.0 on socket 0; on socket 1 GPU 83:00.0, GPU 84:00.0 with the
     * InfiniBand HCA mlx5_0 (ib0) behind the same bridge, and Ethernet eth0/eth1. */
    hwloc_topology_t t = load("2socket-gpu-ib.xml");
    ok(t != NULL, "2socket-gpu-ib.xml loads");
    if (t) {
        is(t, "0000:84:00.0", NULL, NULL, NULL, NULL, "mlx5_0", "hwloc nearest", "pcie-switch", 0,
           "GPU beside the HCA, nothing set");
        is(t, "0000:83:00.0", NULL, NULL, NULL, NULL, "mlx5_0", "hwloc nearest", "numa-node", 0,
           "the other GPU of socket 1: through the host bridge");
        is(t, "0000:03:00.0", NULL, NULL, NULL, NULL, "mlx5_0", "hwloc nearest", "other-socket", 1,
           "GPU on socket 0: the only HCA is on the other socket");
        is(t, "0000:84:00.0", "mlx5_0:1", NULL, NULL, NULL, "mlx5_0", "UCX_NET_DEVICES", "pcie-switch", 0,
           "UCX_NET_DEVICES=mlx5_0:1");
        is(t, "0000:84:00.0", "eth1", NULL, "mlx5_0", NULL, "eth1", "UCX_NET_DEVICES", "numa-node", 0,
           "UCX_NET_DEVICES names Ethernet: it wins over NCCL_IB_HCA");
        is(t, "0000:84:00.0", "all", NULL, "=mlx5_0", NULL, "mlx5_0", "NCCL_IB_HCA", "pcie-switch", 0,
           "UCX_NET_DEVICES=all chooses nothing; NCCL_IB_HCA==mlx5_0");
        is(t, "0000:84:00.0", NULL, NULL, "mlx5", NULL, "mlx5_0", "NCCL_IB_HCA", "pcie-switch", 0,
           "NCCL_IB_HCA=mlx5 is a prefix");
        is(t, "0000:84:00.0", NULL, NULL, "mlx5_3:1", NULL, "mlx5_3", "NCCL_IB_HCA", "unknown", 0,
           "NCCL_IB_HCA names an HCA this node lacks: named, place unknown");
        /* The name asked for is the environment's text, which the table shows: escaped. */
        is(t, "0000:84:00.0", "mlx5\033]0;T\007:1", NULL, NULL, NULL, "mlx5\\x1b]0;T\\x07",
           "UCX_NET_DEVICES", "unknown", 0, "UCX_NET_DEVICES with an escape sequence: shown escaped");
        is(t, "0000:84:00.0", NULL, NULL, "x\342\200\256y", NULL, "x\\xe2\\x80\\xaey",
           "NCCL_IB_HCA", "unknown", 0, "NCCL_IB_HCA with a bidirectional-text control: escaped");
        is(t, "0000:84:00.0", NULL, NULL, NULL, "eth", "eth0", "NCCL_SOCKET_IFNAME", "numa-node", 0,
           "NCCL_SOCKET_IFNAME=eth: the first of the nearest");
        is(t, "0000:84:00.0", NULL, NULL, NULL, "^eth0,ib", "eth1", "NCCL_SOCKET_IFNAME", "numa-node", 0,
           "NCCL_SOCKET_IFNAME=^eth0,ib excludes");
        is(t, "0000:03:00.0", NULL, NULL, NULL, "=ib0", "ib0", "NCCL_SOCKET_IFNAME", "other-socket", 1,
           "NCCL_SOCKET_IFNAME==ib0 from socket 0's GPU: flagged");
        is(t, NULL, NULL, NULL, "mlx5_0", NULL, "mlx5_0", "NCCL_IB_HCA", "no GPU", 0,
           "a rank without a GPU: the NIC, no place");
        /* Open MPI's TCP BTL (the emulated hosts' rails set it per rank): exact names, after
         * UCX's and before NCCL's choice; subnets name no interface. */
        is(t, "0000:84:00.0", NULL, "eth1", NULL, "eth0", "eth1", "OMPI_MCA_btl_tcp_if_include",
           "numa-node", 0, "btl_tcp_if_include=eth1 wins over NCCL_SOCKET_IFNAME=eth0");
        is(t, "0000:84:00.0", "mlx5_0:1", "eth1", NULL, NULL, "mlx5_0", "UCX_NET_DEVICES",
           "pcie-switch", 0, "UCX_NET_DEVICES wins over btl_tcp_if_include");
        is(t, "0000:84:00.0", NULL, "eth", NULL, NULL, "eth", "OMPI_MCA_btl_tcp_if_include",
           "unknown", 0, "btl_tcp_if_include=eth is no prefix (Open MPI takes exact names)");
        is(t, "0000:03:00.0", NULL, "eth9,eth1", NULL, NULL, "eth1", "OMPI_MCA_btl_tcp_if_include",
           "other-socket", 1, "btl_tcp_if_include=eth9,eth1: the one this node has");
        is(t, "0000:84:00.0", NULL, "10.77.3.0/24", "mlx5_0", NULL, "mlx5_0", "NCCL_IB_HCA",
           "pcie-switch", 0, "btl_tcp_if_include=10.77.3.0/24, a subnet: NCCL_IB_HCA decides");
        is(t, NULL, NULL, "eth1,10.0.0.0/8", NULL, "=eth0", "eth0", "NCCL_SOCKET_IFNAME", "no GPU",
           0, "btl_tcp_if_include with a subnet among names chooses nothing");
        is(t, NULL, NULL, "eth1", NULL, "=eth1", "eth1", "OMPI_MCA_btl_tcp_if_include", "no GPU",
           0, "an emulated host's rail 1, no GPU: eth1 from btl_tcp_if_include");
        hwloc_topology_destroy(t);
    }
    /* DGX-2: 16 GPUs behind PCIe switches, and no NIC in the fixture. */
    t = load("dgx2-16gpu.xml");
    ok(t != NULL, "dgx2-16gpu.xml loads");
    if (t) {
        hwloc_obj_t gpu = NULL;
        for (hwloc_obj_t o = NULL; !gpu && (o = hwloc_get_next_pcidev(t, o));)
            if (o->attr->pcidev.class_id == 0x0302)
                gpu = o;
        struct gx_nic_use u;
        gx_topo_nic_in_use(t, gpu, NULL, NULL, NULL, NULL, &u);
        ok(gpu && u.name[0] == '\0' && strcmp(u.source, "hwloc nearest") == 0,
           "DGX-2 without a NIC in its topology: none (got '%s')", u.name);
        gx_topo_nic_in_use(t, gpu, "mlx5_2:1,mlx5_3:1", NULL, NULL, NULL, &u);
        ok(strcmp(u.name, "mlx5_2") == 0 && strcmp(u.place, "unknown") == 0 && !u.flagged,
           "DGX-2, UCX_NET_DEVICES=mlx5_2:1,mlx5_3:1 not in the topology: mlx5_2, place "
           "unknown, not flagged (got %s, %s)", u.name, u.place);
        hwloc_topology_destroy(t);
    }
    return tap_done();
}
