/* Every rank's link facts on rank 0: numbers per rank, every string once in one pool. */
#ifndef GX_LINKS_STORE_H
#define GX_LINKS_STORE_H

#include "links.h"
#include "slots.h"

#include <stddef.h>
#include <stdint.h>

/* One rank's facts: the numbers, its strings entries of the pool, its peers from peer0. */
struct gx_link_rec {
    int rank, node, has_gpu;
    gx_sid busid;
    struct gx_pcie_rec {
        int cur_gen, cur_width, max_gen, max_width;
        enum gx_src cur_src, max_src;
        double hwloc_gbs;
        int under_load;
        gx_sid why;
    } pcie;
    struct gx_nvlink_rec {
        int nvml_version, links, active;
        gx_sid why;
    } nvlink;
    struct gx_c2c_rec {
        int links, active;
        double gbs;
        gx_sid why;
    } c2c;
    struct gx_nic_rec {
        gx_sid name;
        double gbits;
        enum gx_src src;
        gx_sid where;
    } nic;
    unsigned peer0;
    int npeers;
};

/* A peer: its PCI link's name in the pool (GX_SID_NONE: none). */
struct gx_peer_rec {
    int rank;
    uint16_t nvlinks;
    gx_sid pci;
};

struct gx_link_store {
    struct gx_link_rec *recs; /* in the order added: by rank where gathered */
    int n;
    size_t cap;
    struct gx_peer_rec *peers;
    size_t npeers, peers_cap;
    struct gx_strpool pool;
};

/* A rank's facts as sent (the struct), checked: 0, or -1 where they are not whole. */
int gx_link_facts_unpack(const void *bytes, size_t len, struct gx_link_facts *f);
int gx_link_store_add(struct gx_link_store *s, const struct gx_link_facts *f);
void gx_link_store_trim(struct gx_link_store *s);
void gx_link_store_free(struct gx_link_store *s);

const struct gx_link_rec *gx_link_rec_of(const struct gx_link_store *s, int i);
const char *gx_link_str(const struct gx_link_store *s, gx_sid id);
int gx_link_facts_of(const struct gx_link_store *s, int i, struct gx_link_facts *out);
int gx_link_store_route(const struct gx_link_store *s, int a, int b, int a_dev, int b_dev,
                        int via_host, struct gx_route *out);

/* Health findings from every record of s (rank 0), appended to h (at most max); the count. */
int gx_health_from_store(const struct gx_link_store *s, struct gx_health *h, int max);

#endif
