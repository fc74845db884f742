/* GPU choice, hwloc placement and binding; the core only decides (tests/test_topo prints it). */
#ifndef GX_TOPO_H
#define GX_TOPO_H

#include "gx.h"

#include <hwloc.h>
#include <limits.h>

#define GX_BUSID_LEN 32
#define GX_MAX_GPUS 64

enum gx_bind_policy { GX_BIND_AUTO, GX_BIND_NUMA, GX_BIND_CORE, GX_BIND_NONE };
extern const char *const gx_bind_policy_names[]; /* indexed by enum gx_bind_policy */

/* Loads the topology from an hwloc XML file (foreign: decisions only) or from this machine. */
#define GX_TOPO_XML_MAX (16 << 20)
int gx_topo_load(hwloc_topology_t *topo, const char *xml, const char *what, struct gx_err *err);
/* --dry-run: the topology and the --fake-gpus bus ids load as the run's would, or its error. */
int gx_topo_check_inputs(const char *given, const char *fake_gpus, struct gx_err *err);

int gx_busid_normalize(const char *in, char *out, size_t len);
hwloc_obj_t gx_topo_pcidev(hwloc_topology_t topo, const char *busid);
/* nvidia-smi's index: position among the NVIDIA display/3D PCI devices ordered by bus id. */
int gx_topo_nvidia_index(hwloc_topology_t topo, hwloc_obj_t pci);

/* How two PCI devices reach each other, in nvidia-smi topo -m terms (X, PIX, ..., SYS). */
const char *gx_topo_pci_link(hwloc_topology_t topo, hwloc_obj_t a, hwloc_obj_t b);

/* The NIC a rank uses: the nearest to its GPU among those the variables name, else hwloc's. */
struct gx_nic_use {
    char name[64];       /* "" when none */
    const char *source;  /* the variable that chose it, or "hwloc nearest" */
    const char *link;    /* gx_topo_pci_link to the GPU; NULL when unknown */
    const char *place;
    int flagged;         /* on the other socket */
};
void gx_topo_nic_in_use(hwloc_topology_t topo, hwloc_obj_t gpu, const char *ucx_devices,
                        const char *btl_tcp_if, const char *nccl_ib_hca, const char *nccl_ifname,
                        struct gx_nic_use *out);

/* Parses CUDA_VISIBLE_DEVICES as the CUDA runtime does; visible[i]: visible device i's index. */
int gx_visible_devices(const char *cvd, int nphys, const char *const *uuids, int *visible,
                       int *nvisible);

/* The launcher's node-local rank (-1: none); its own variables before Slurm's, which under
 * mpirun is the daemon's. */
int gx_launcher_local_rank(const char **var);

int gx_gpu_choose(int nvisible, int local_rank, const int *map, int nmap, int *chosen,
                  struct gx_err *err);

struct gx_binding {
    enum gx_bind_policy policy;
    int has_gpu;             /* the rank's GPU was found in the topology */
    hwloc_bitmap_t local;    /* cpuset of the GPU's closest non-I/O ancestor */
    hwloc_bitmap_t cpuset;   /* where the rank should run (empty: leave it) */
    hwloc_bitmap_t nodeset;  /* memory policy (empty: leave it) */
    int apply;               /* cpuset/nodeset are to be applied */
    const char *decision;    /* bind, keep, rebind, none */
    char reason[400];
    int group_index, group_size; /* position among local ranks sharing the GPU's locality */
    char numa[64];           /* NUMA node(s) of the GPU, list syntax */
    char nic[64];
    const char *nic_link;
};

int gx_binding_make(hwloc_topology_t topo, const char (*busids)[GX_BUSID_LEN], int local_size,
                    int local_rank, enum gx_bind_policy policy, hwloc_const_cpuset_t current,
                    struct gx_binding *bind, struct gx_err *err);
void gx_binding_free(struct gx_binding *bind);

/* NVLink count between two GPUs through NVML, loaded at run time: links >= 0, or -1 with why. */
int gx_nvml_nvlinks(const char *busid_a, const char *busid_b, char *why, size_t len);
void gx_nvml_fini(void);
struct gx_pcie_facts;
struct gx_nvlink_facts;
void gx_nvml_gpu_facts(const char *busid, struct gx_pcie_facts *p, struct gx_nvlink_facts *n);
struct gx_c2c_facts;
void gx_nvml_c2c_facts(const char *busid, struct gx_c2c_facts *c);
int gx_nvml_pcie_current(const char *busid, int *gen, int *width);

struct gx_topo_link {
    int rank;                /* the other rank (global) on this node */
    char link[16];           /* NV#, PIX, PXB, PHB, NODE, SYS, X (same GPU), ? */
    char source[200];        /* nvml, or why the hwloc PCI tree was used */
    int p2p;                 /* cudaDeviceCanAccessPeer: 1, 0, -1 unknown */
};

struct gx_topo_rank {
    int has_gpu, fake, foreign;
    char topology[PATH_MAX]; /* "this machine" or the XML file */
    int visible, physical, nvisible;
    char busid[GX_BUSID_LEN], name[256], uuid[96];
    double memory;           /* bytes; 0 unknown */
    double l2;               /* the GPU's L2 cache, bytes; 0 unknown */
    char why_no_gpu[256];
    const char *policy, *decision;
    char reason[512];
    int applied;             /* the binding was applied to this process */
    char planned[256];       /* cpuset decided, in the topology's numbering */
    char membind[512];       /* NUMA nodes memory is bound to, or why not */
    char numa[64], nic[64];
    const char *nic_link;
    struct gx_nic_use nic_use; /* the NIC in use (topo.c) */
    int nlinks;
    struct gx_topo_link *links;
    int nshared, shared_with[GX_MAX_GPUS]; /* other ranks using the same GPU */
    int nwarnings;
    char warnings[4][256];
    struct gx_link_facts *facts;     /* this rank's links and their rates */
    struct gx_link_store *all_facts; /* rank 0: every rank's, by rank, compact; NULL elsewhere */
};

/* This rank's link facts, after its GPU, links and NIC are known; whether NVML may be asked. */
struct gx_link_facts;
void gx_links_read(int rank, int node, hwloc_topology_t topo, const struct gx_topo_rank *t,
                   struct gx_link_facts *f);
int gx_links_nvml_allowed(const struct gx_topo_rank *t);

int gx_topo_shares_gpu(const struct gx_topo_rank *t, int peer);

/* The collective part: chooses and sets the GPU, binds, and keeps what the report needs. */
struct gx_job;
struct gx_global_opts;
int gx_topo_setup(struct gx_job *job, const struct gx_global_opts *g, struct gx_err *err);

#endif
