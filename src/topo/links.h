/* The links of each GPU and pair, with their line rates: what no transfer over them can exceed. */
#ifndef GX_LINKS_H
#define GX_LINKS_H

#include <stddef.h>
#include <stdio.h>

enum gx_src { GX_SRC_NONE, GX_SRC_NVML, GX_SRC_SYSFS, GX_SRC_HWLOC, GX_SRC_TABLE };
extern const char *const gx_src_names[]; /* indexed by enum gx_src; NONE is "unknown" */

enum gx_link_kind {
    GX_LINK_PCIE, GX_LINK_NVLINK, GX_LINK_C2C, GX_LINK_NIC, GX_LINK_SOCKET, GX_LINK_KINDS
};
struct gx_link_kind_info {
    const char *name;       /* pcie, nvlink, nic, socket */
    double usual_share;     /* a healthy link's measured share of the line rate; 0: unknown */
};
extern const struct gx_link_kind_info gx_link_kinds[GX_LINK_KINDS];

/* PCIe: GB/s per direction of `gen` and `width` after the line encoding; 0 for unknown. */
double gx_pcie_gbs(int gen, int width);
int gx_pcie_gen_of_gts(double gts);
/* NVLink: the generation and GB/s of one link for NVML's version value (6 is NVLink 4.0). */
int gx_nvlink_generation(int nvml_version, double *link_gbs);

#define GX_LINK_WHY 256

/* A GPU's PCIe link. GPUs lower the generation at idle, not the width. */
struct gx_pcie_facts {
    int cur_gen, cur_width, max_gen, max_width; /* 0 unknown */
    enum gx_src cur_src, max_src;
    double hwloc_gbs;  /* hwloc's pci_link_speed, GB/s at its discovery; 0 unknown */
    int under_load;    /* cur_gen read while the GPU copied */
    char why[GX_LINK_WHY]; /* why a fact is unknown */
};

struct gx_nvlink_facts {
    int nvml_version;  /* nvmlDeviceGetNvLinkVersion's value; 0 unknown */
    int links, active; /* links < 0: unknown (active then too) */
    char why[GX_LINK_WHY];
};

/* A GPU's chip-to-chip link to its CPU (Grace Hopper's NVLink-C2C), in place of PCIe. */
struct gx_c2c_facts {
    int links, active; /* links < 0: unknown; 0: none */
    double gbs;        /* 0 unknown */
    char why[GX_LINK_WHY];
};

struct gx_nic_facts {
    char name[64];     /* "" none */
    double gbits;      /* Gb/s as the device reports it (after encoding); 0 unknown */
    enum gx_src src;
    char where[GX_LINK_WHY]; /* the sysfs file, or why unknown */
};

#define GX_LINK_PEERS 64
struct gx_peer_link {
    int rank;          /* global rank of the peer; -1 unused */
    int nvlinks;       /* NVLinks between the two (through a switch: the fewer of the two's) */
    char pci[16];      /* X, PIX, PXB, PHB, NODE, SYS, ? */
};

struct gx_link_facts {
    int rank, node, has_gpu;
    char busid[32];
    struct gx_pcie_facts pcie;
    struct gx_nvlink_facts nvlink;
    struct gx_c2c_facts c2c;
    struct gx_nic_facts nic;
    int npeers;
    struct gx_peer_link peers[GX_LINK_PEERS];
};

struct gx_hop {
    enum gx_link_kind kind;
    int rank;          /* whose link (the GPU's or NIC's rank); -1 shared */
    double gbs;        /* GB/s per direction; 0 unknown */
    enum gx_src src;
    char what[96];     /* "gen5 x16", "NVLink 4, 17 links", "mlx5_0 200 Gb/s" */
};

/* Which links a transfer crosses, the narrowest first (unknown rates last). */
#define GX_ROUTE_HOPS 6
struct gx_route {
    int nhops;
    struct gx_hop hops[GX_ROUTE_HOPS];
    double line_gbs;
    int partial;       /* some hop's rate is unknown: line_gbs bounds only the known ones */
    int one_link;      /* both ends' data crosses one link (two buffers of one GPU through host
                          memory): a both-ways pattern shares each direction, no double rate */
    char why[GX_LINK_WHY];
};

/* The route of a pair whose buffers are on their GPUs or in host memory (via_host: staged). */
void gx_route_pair(const struct gx_link_facts *a, const struct gx_link_facts *b, int a_dev,
                   int b_dev, int via_host, struct gx_route *out);

double gx_pcie_line_gbs(const struct gx_pcie_facts *p, char *what, size_t len);
double gx_nic_line_gbs(const struct gx_nic_facts *n);

double gx_c2c_line_gbs(const struct gx_c2c_facts *c);

#define GX_HEALTH_LINE 384
struct gx_health {
    const char *check;     /* pcie-below-max, nvlink-down, nvlink-below-siblings, ... */
    int rank;              /* whose GPU or NIC; -1 the job's */
    char line[GX_HEALTH_LINE];
    char evidence[GX_HEALTH_LINE];
    int warning; /* said, and in the report, but not a --fail-on-health verdict */
};
int gx_health_failing(const struct gx_health *h, int n);
struct gx_health *gx_health_add(struct gx_health *h, int *n, int max, const char *check,
                                int rank);

void gx_route_text(const struct gx_route *r, char *buf, size_t len);

#endif
