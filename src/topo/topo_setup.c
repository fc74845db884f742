#include "config.h"
#include "gpu.h"
#include "input.h"
#include "links_store.h"
#include "topo.h"

#ifdef HAVE_CUDA
#include "cuda_util.h"
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void warn(struct gx_topo_rank *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(struct gx_topo_rank *t, const char *fmt, ...)
{
    if (t->nwarnings >= (int)GX_ARRAY_LEN(t->warnings))
        return;
    va_list ap;
    va_start(ap, fmt);
    char raw[sizeof t->warnings[0]];
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    /* A warning quotes the environment (SLURM_LOCALID, UCX_NET_DEVICES): the table shows it. */
    gx_text_shown(t->warnings[t->nwarnings++], sizeof t->warnings[0], raw);
}

/* The launcher's node-local rank should agree with MPI's, or wrapper scripts chose otherwise. */
static void check_launcher_local_rank(const struct gx_job *job, struct gx_topo_rank *t)
{
    const char *var;
    int l = gx_launcher_local_rank(&var);
    if (var && l != job->local_rank)
        warn(t, "%s=%s but MPI_Comm_split_type gives node-local rank %d; the latter is used",
             var, getenv(var), job->local_rank);
}

static const char *gpu_info(hwloc_obj_t pci, const char *name)
{
    const char *s = hwloc_obj_get_info_by_name(pci, name);
    for (hwloc_obj_t o = pci->io_first_child; !s && o; o = o->next_sibling)
        s = hwloc_obj_get_info_by_name(o, name);
    return s;
}

/* --fake-gpus: the bus ids are the physical device list, filtered by CUDA_VISIBLE_DEVICES. */
static int choose_fake(const struct gx_job *job, const struct gx_global_opts *g,
                       hwloc_topology_t topo, struct gx_topo_rank *t, struct gx_err *err)
{
    char list[sizeof g->fake_gpus];
    char busids[GX_MAX_GPUS][GX_BUSID_LEN];
    const char *uuids[GX_MAX_GPUS];
    hwloc_obj_t pcis[GX_MAX_GPUS];
    int nphys = 0;
    snprintf(list, sizeof list, "%s", g->fake_gpus);
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok && nphys < GX_MAX_GPUS;
         tok = strtok_r(NULL, ",", &save)) {
        hwloc_obj_t pci = gx_topo_pcidev(topo, tok);
        if (!pci)
            return gx_fail(err, GX_EINPUT, "--fake-gpus: bus id '%s' is not a PCI device in the "
                           "topology of %s (expected the bus id of a GPU in it)", tok,
                           t->topology);
        gx_busid_normalize(tok, busids[nphys], GX_BUSID_LEN);
        uuids[nphys] = gpu_info(pci, "NVIDIAUUID");
        pcis[nphys++] = pci;
    }
    int visible[GX_MAX_GPUS];
    const char *cvd = getenv("CUDA_VISIBLE_DEVICES");
    GX_TRY(gx_visible_devices(cvd, nphys, uuids, visible, &t->nvisible));
    if (t->nvisible == 0) {
        snprintf(t->why_no_gpu, sizeof t->why_no_gpu, "CUDA_VISIBLE_DEVICES='%s' leaves none of "
                 "the --fake-gpus visible", cvd ? cvd : "");
        return GX_OK;
    }
    GX_TRY(gx_gpu_choose(t->nvisible, job->local_rank, g->gpu_map, g->ngpu_map, &t->visible,
                         err));
    int p = visible[t->visible];
    t->has_gpu = 1;
    t->physical = p;
    snprintf(t->busid, sizeof t->busid, "%s", busids[p]);
    const char *name = gpu_info(pcis[p], "GPUModel");
    if (!name)
        name = hwloc_obj_get_info_by_name(pcis[p], "PCIDevice");
    snprintf(t->name, sizeof t->name, "%s", name ? name : "unknown (--fake-gpus)");
    snprintf(t->uuid, sizeof t->uuid, "%s", uuids[p] ? uuids[p] : "");
    snprintf(t->why_no_gpu, sizeof t->why_no_gpu, "--fake-gpus: placement decided for a GPU "
             "that is not used");
    return GX_OK;
}

#ifdef HAVE_CUDA
/* Why CUDA shows this rank no device; without a driver the count fails as for an old one. */
static void why_no_device(const struct gx_job *job, struct gx_topo_rank *t, cudaError_t count_ce)
{
    cudaError_t ce = cudaSuccess;
    if (count_ce != cudaSuccess && gx_cuda_driver_version(&ce) == 0)
        snprintf(t->why_no_gpu, sizeof t->why_no_gpu, "%s", GX_NO_CUDA_DRIVER);
    else
        snprintf(t->why_no_gpu, sizeof t->why_no_gpu, "no CUDA device visible to rank %d (%s)",
                 job->rank, count_ce != cudaSuccess ? cudaGetErrorString(count_ce) : "0 devices");
    cudaGetLastError(); /* neither error is sticky: clear them */
}

static int choose_cuda(struct gx_job *job, const struct gx_global_opts *g, hwloc_topology_t topo,
                       struct gx_topo_rank *t, struct gx_err *err)
{
    int n = 0;
    cudaError_t ce = cudaGetDeviceCount(&n);
    if (ce != cudaSuccess || n == 0) {
        why_no_device(job, t, ce);
        return GX_OK;
    }
    t->nvisible = n;
    GX_TRY(gx_gpu_choose(n, job->local_rank, g->gpu_map, g->ngpu_map, &t->visible, err));
    int early = job->early_gpu;
    if (early >= 0 && early != t->visible)
        warn(t, "the CUDA context made before MPI_Init is on GPU %d, but GPU %d is chosen: an "
             "MPI library that keeps the first context (Open MPI 5's smcuda) may stage device "
             "buffers through the host", early, t->visible);
    if ((ce = cudaSetDevice(t->visible)) != cudaSuccess) /* before MPI touches CUDA */
        return gx_fail(err, GX_ERUNTIME, "cudaSetDevice(%d): %s", t->visible,
                       cudaGetErrorString(ce));
    job->gpu = t->visible;
    t->has_gpu = 1;
    char bus[GX_BUSID_LEN];
    if ((ce = cudaDeviceGetPCIBusId(bus, sizeof bus, t->visible)) != cudaSuccess)
        return gx_fail(err, GX_ERUNTIME, "cudaDeviceGetPCIBusId(%d): %s", t->visible,
                       cudaGetErrorString(ce));
    if (gx_busid_normalize(bus, t->busid, sizeof t->busid) != 0)
        snprintf(t->busid, sizeof t->busid, "%s", bus);
    struct cudaDeviceProp prop;
    if ((ce = cudaGetDeviceProperties(&prop, t->visible)) != cudaSuccess)
        return gx_fail(err, GX_ERUNTIME, "cudaGetDeviceProperties(%d): %s", t->visible,
                       cudaGetErrorString(ce));
    snprintf(t->name, sizeof t->name, "%s", prop.name);
    t->memory = (double)prop.totalGlobalMem;
    t->l2 = (double)prop.l2CacheSize;
    const unsigned char *u = (const unsigned char *)prop.uuid.bytes;
    for (int i = 0, at = snprintf(t->uuid, sizeof t->uuid, "GPU-"); i < 16; i++)
        at += snprintf(t->uuid + at, sizeof t->uuid - (size_t)at, "%s%02x",
                       i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", u[i]);
    hwloc_obj_t pci = gx_topo_pcidev(topo, t->busid);
    if (!pci && t->foreign)
        return gx_fail(err, GX_EINPUT, "--topology-xml: GPU %s (from CUDA) is not in %s "
                       "(expected the topology of this machine)", t->busid, t->topology);
    if (!pci)
        warn(t, "GPU %s (from CUDA) is not in the hwloc topology; binding left as it is",
             t->busid);
    t->physical = gx_topo_nvidia_index(topo, pci);
    return GX_OK;
}
#endif

static void fill_links(const struct gx_job *job, hwloc_topology_t topo, struct gx_topo_rank *t,
                       const char (*busids)[GX_BUSID_LEN], const int *ranks)
{
    t->links = calloc((size_t)job->local_size, sizeof *t->links);
    if (!t->links)
        return;
    hwloc_obj_t me = t->has_gpu ? gx_topo_pcidev(topo, t->busid) : NULL;
    for (int i = 0; i < job->local_size; i++) {
        if (i == job->local_rank || !busids[i][0] || !t->has_gpu)
            continue;
        struct gx_topo_link *l = &t->links[t->nlinks++];
        l->rank = ranks[i];
        l->p2p = -1;
        hwloc_obj_t peer = gx_topo_pcidev(topo, busids[i]);
        if (strcmp(busids[i], t->busid) == 0) {
            strcpy(l->link, "X");
            snprintf(l->source, sizeof l->source, "the same GPU");
            if (t->nshared < GX_MAX_GPUS)
                t->shared_with[t->nshared++] = ranks[i];
            continue;
        }
        char why[160] = "";
        int nv = -1;
        if (gx_links_nvml_allowed(t))
            nv = gx_nvml_nvlinks(t->busid, busids[i], why, sizeof why);
        else
            snprintf(why, sizeof why, "topology from %s: NVML not consulted",
                     t->foreign ? "XML" : "--fake-gpus");
        if (nv > 0) {
            snprintf(l->link, sizeof l->link, "NV%d", nv);
            snprintf(l->source, sizeof l->source, "nvml");
        } else if (me && peer) {
            snprintf(l->link, sizeof l->link, "%s", gx_topo_pci_link(topo, me, peer));
            snprintf(l->source, sizeof l->source, "hwloc PCI tree (%s)", why);
        } else {
            strcpy(l->link, "?");
            snprintf(l->source, sizeof l->source, "a GPU is not in the topology (%s)", why);
        }
#ifdef HAVE_CUDA
        int peerdev = -1, can = 0;
        if (!t->fake && job->gpu >= 0 &&
            cudaDeviceGetByPCIBusId(&peerdev, busids[i]) == cudaSuccess &&
            cudaDeviceCanAccessPeer(&can, job->gpu, peerdev) == cudaSuccess)
            l->p2p = can;
        cudaGetLastError(); /* a peer this process cannot see is not an error */
#endif
    }
}

static void apply_binding(hwloc_topology_t topo, struct gx_binding *bind, struct gx_topo_rank *t)
{
    if (!bind->apply) {
        snprintf(t->membind, sizeof t->membind, "not set (%s)", bind->reason);
        return;
    }
    if (t->fake || t->foreign) {
        snprintf(t->membind, sizeof t->membind, "would be NUMA %s; not applied (%s)", bind->numa,
                 t->foreign ? "the topology is from an XML file" : "the GPUs are --fake-gpus");
        return;
    }
    t->applied = 1;
    if (strcmp(bind->decision, "keep") != 0 &&
        hwloc_set_cpubind(topo, bind->cpuset, HWLOC_CPUBIND_PROCESS) != 0) {
        t->applied = 0;
        warn(t, "hwloc_set_cpubind to %s failed: %s; binding left as it is", t->planned,
             strerror(errno));
    }
    /* Memory policy of this thread; pinned staging buffers allocated later land there. */
    if (hwloc_set_membind(topo, bind->nodeset, HWLOC_MEMBIND_BIND, HWLOC_MEMBIND_BYNODESET) != 0)
        snprintf(t->membind, sizeof t->membind, "not set: hwloc_set_membind(NUMA %s) failed: %s",
                 bind->numa, strerror(errno));
    else
        snprintf(t->membind, sizeof t->membind, "NUMA %s", bind->numa);
}

static int bind_rank(const struct gx_job *job, const struct gx_global_opts *g,
                     hwloc_topology_t topo, struct gx_topo_rank *t,
                     const char (*busids)[GX_BUSID_LEN], const int *ranks, struct gx_err *err)
{
    struct gx_binding bind;
    hwloc_bitmap_t current = NULL;
    if (!t->foreign && (current = hwloc_bitmap_alloc()) &&
        hwloc_get_cpubind(topo, current, HWLOC_CPUBIND_PROCESS) != 0) {
        hwloc_bitmap_free(current);
        current = NULL; /* unknown: treated as not bound by the launcher */
    }
    int rc = gx_binding_make(topo, busids, job->local_size, job->local_rank,
                             (enum gx_bind_policy)g->bind, current, &bind, err);
    hwloc_bitmap_free(current);
    if (rc != GX_OK)
        return rc;
    t->decision = bind.decision;
    snprintf(t->reason, sizeof t->reason, "%s", bind.reason);
    snprintf(t->numa, sizeof t->numa, "%s", bind.numa);
    snprintf(t->nic, sizeof t->nic, "%s", bind.nic);
    t->nic_link = bind.nic_link;
    if (bind.apply && hwloc_bitmap_list_snprintf(t->planned, sizeof t->planned, bind.cpuset) < 0)
        t->planned[0] = '\0';
    apply_binding(topo, &bind, t);
    fill_links(job, topo, t, busids, ranks);
    gx_binding_free(&bind);
    return GX_OK;
}

/* Sharing a GPU is legal but skews every number: each rank says so, and rank 0 once. */
static int warn_shared(const struct gx_job *job, struct gx_topo_rank *t, struct gx_err *err)
{
    int shared = t->nshared > 0, any = 0, rc = GX_OK;
    int mrc = MPI_Allreduce(&shared, &any, 1, MPI_INT, MPI_MAX, job->comm);
    if (mrc != MPI_SUCCESS)
        rc = gx_fail_mpi(err, mrc, "MPI_Allreduce(shared GPUs)", __FILE__, __LINE__);
    if (t->nshared > 0)
        warn(t, "this rank shares its GPU %s with %d other rank(s) on the node", t->busid,
             t->nshared);
    if (any && job->rank == 0)
        fprintf(stderr, "gpuxfer: warning: some ranks share a GPU (more ranks than visible GPUs "
                        "on a node,\n  or --gpu-map); see \"gpu\".\"shared_with\" in the report\n");
    return rc;
}

int gx_topo_setup(struct gx_job *job, const struct gx_global_opts *g, struct gx_err *err)
{
    struct gx_topo_rank *t = calloc(1, sizeof *t);
    if (!t)
        return gx_agree(job->comm, gx_fail(err, GX_ERUNTIME, "out of host memory"), err);
    job->topo = t;
    t->visible = t->physical = -1;
    t->policy = gx_bind_policy_names[g->bind];
    t->decision = "none";
    const char *xml = g->topology_xml[0] ? g->topology_xml : getenv("GPUXFER_TOPOLOGY_XML");
    const char *what = g->topology_xml[0] ? "--topology-xml" : "GPUXFER_TOPOLOGY_XML";
    t->foreign = xml && xml[0];
    t->fake = g->fake_gpus[0] != '\0';
    snprintf(t->topology, sizeof t->topology, "%s", t->foreign ? xml : "this machine");
    check_launcher_local_rank(job, t);

    hwloc_topology_t topo = NULL;
    int rc = gx_topo_load(&topo, xml, what, err);
    if (rc == GX_OK) {
        if (t->fake)
            rc = choose_fake(job, g, topo, t, err);
        else if (job->no_gpu)
            snprintf(t->why_no_gpu, sizeof t->why_no_gpu, "%s", job->no_gpu);
        else {
#ifdef HAVE_CUDA
            rc = choose_cuda(job, g, topo, t, err);
#else
            snprintf(t->why_no_gpu, sizeof t->why_no_gpu, "built without CUDA");
#endif
        }
    }
    rc = gx_agree(job->comm, rc, err); /* the rest is collective on the node */
    if (rc != GX_OK) {
        if (topo)
            hwloc_topology_destroy(topo);
        return rc;
    }

    char(*busids)[GX_BUSID_LEN] = calloc((size_t)job->local_size, sizeof *busids);
    int *ranks = calloc((size_t)job->local_size, sizeof *ranks);
    char mine[GX_BUSID_LEN] = "";
    if (t->has_gpu)
        snprintf(mine, sizeof mine, "%s", t->busid);
    int mrc = MPI_Allgather(mine, GX_BUSID_LEN, MPI_CHAR, busids, GX_BUSID_LEN, MPI_CHAR,
                            job->node_comm);
    if (mrc == MPI_SUCCESS)
        mrc = MPI_Allgather(&job->rank, 1, MPI_INT, ranks, 1, MPI_INT, job->node_comm);
    if (!busids || !ranks)
        rc = gx_fail(err, GX_ERUNTIME, "out of host memory");
    else if (mrc != MPI_SUCCESS)
        rc = gx_fail_mpi(err, mrc, "MPI_Allgather(GPU bus ids)", __FILE__, __LINE__);

    if (rc == GX_OK)
        rc = bind_rank(job, g, topo, t, (const char(*)[GX_BUSID_LEN])busids, ranks, err);
    if (rc == GX_OK) /* the NIC in use, with or without a GPU */
        gx_topo_nic_in_use(topo, t->has_gpu ? gx_topo_pcidev(topo, t->busid) : NULL,
                           getenv("UCX_NET_DEVICES"), getenv("OMPI_MCA_btl_tcp_if_include"),
                           getenv("NCCL_IB_HCA"), getenv("NCCL_SOCKET_IFNAME"), &t->nic_use);
    if (rc == GX_OK && !(t->facts = calloc(1, sizeof *t->facts)))
        rc = gx_fail(err, GX_ERUNTIME, "out of host memory");
    if (rc == GX_OK)
        gx_links_read(job->rank, job->node, topo, t, t->facts);
    free(busids);
    free(ranks);
    hwloc_topology_destroy(topo);

    int src = warn_shared(job, t, err);
    return gx_agree(job->comm, rc != GX_OK ? rc : src, err);
}

void gx_gpu_fini(struct gx_job *job)
{
    if (job->topo) {
        free(job->topo->links);
        free(job->topo->facts);
        gx_link_store_free(job->topo->all_facts);
        free(job->topo->all_facts);
    }
    free(job->topo);
    job->topo = NULL;
    gx_nvml_fini();
}

int gx_visible_devices(const char *cvd, int nphys, const char *const *uuids, int *visible,
                       int *nvisible)
{
    *nvisible = 0;
    if (!cvd) {
        for (int i = 0; i < nphys && i < GX_MAX_GPUS; i++)
            visible[(*nvisible)++] = i;
        return GX_OK;
    }
    const char *p = cvd;
    while (*p && *nvisible < GX_MAX_GPUS) {
        char item[128];
        size_t l = strcspn(p, ",");
        if (l >= sizeof item)
            break;
        memcpy(item, p, l);
        item[l] = '\0';
        int phys = -1;
        if (strncmp(item, "GPU-", 4) == 0 || strncmp(item, "MIG-", 4) == 0) {
            int hits = 0; /* a UUID prefix names the one device it starts */
            for (int i = 0; i < nphys; i++)
                if (uuids && uuids[i] && strncmp(uuids[i], item, l) == 0)
                    phys = i, hits++;
            if (hits != 1)
                phys = -1;
        } else {
            struct gx_err ignored; /* CUDA's rule: a bad entry ends the list, it is no error */
            long long v;
            if (gx_parse_int(item, 0, nphys - 1, &v, &ignored) == GX_OK)
                phys = (int)v;
        }
        if (phys < 0)
            break;
        for (int i = 0; i < *nvisible; i++)
            if (visible[i] == phys)
                phys = -1;
        if (phys < 0)
            break; /* a repeated device ends the list too */
        visible[(*nvisible)++] = phys;
        p += l;
        if (*p == ',')
            p++;
    }
    return GX_OK;
}

int gx_launcher_local_rank(const char **var)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID",
                                       "MV2_COMM_WORLD_LOCAL_RANK", "PALS_LOCAL_RANKID",
                                       "SLURM_LOCALID"};
    for (size_t i = 0; i < GX_ARRAY_LEN(vars); i++) {
        const char *v = getenv(vars[i]);
        struct gx_err ignored; /* not a number by the one rule: the next launcher's variable */
        long long l;
        if (!v || gx_parse_int(v, 0, 1 << 20, &l, &ignored) != GX_OK)
            continue;
        *var = vars[i];
        return (int)l;
    }
    *var = NULL;
    return -1;
}

int gx_gpu_choose(int nvisible, int local_rank, const int *map, int nmap, int *chosen,
                  struct gx_err *err)
{
    *chosen = -1;
    if (nvisible <= 0)
        return GX_OK;
    if (nmap > 0) {
        int v = map[local_rank % nmap];
        if (v < 0 || v >= nvisible)
            return gx_fail(err, GX_EINPUT, "--gpu-map: entry %d (for node-local rank %d) is out "
                           "of range (expected 0..%d, an index among the %d visible GPUs)", v,
                           local_rank, nvisible - 1, nvisible);
        *chosen = v;
    } else
        *chosen = local_rank % nvisible;
    return GX_OK;
}
