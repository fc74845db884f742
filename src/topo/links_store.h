/* Every rank's link facts as rank 0 keeps them for the run (links_store.c): a rank's facts are
 * mostly room for text it does not use (four reasons of 256 bytes, 64 peers), kilobytes where a
 * few hundred bytes say it all, and most of the text repeats from rank to rank ("NVML not
 * available", the same bus ids on every node). So each rank packs its facts into a record of
 * their numbers, its strings with their lengths and its peers in use; rank 0 keeps a record of
 * numbers per rank, every string once in one pool for the job, and the peers in one array.
 * A reader takes one rank's facts whole again (gx_link_facts_of) or reads a record. */
#ifndef GX_LINKS_STORE_H
#define GX_LINKS_STORE_H

#include "links.h"
#include "strpool.h"

#include <stddef.h>
#include <stdint.h>

/* One rank's facts: the numbers of struct gx_link_facts under the same names, its strings as
 * entries of the store's pool (GX_SID_NONE: ""), its peers at peer0 in the store's peers. */
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

/* A peer in 8 bytes: a GPU on a node of 16 has 15 of them. The NVLinks between two GPUs are
 * tens (kept within 0..65535: a route reads only whether there are any), and the PCI links a
 * handful of names (X, PIX, PXB, PHB, NODE, SYS, ?): pci is the place + 1 of its name in the
 * store's pcis, 0 none. */
struct gx_peer_rec {
    int rank;
    uint16_t nvlinks, pci;
};

struct gx_link_store {
    struct gx_link_rec *recs; /* in the order added: by rank where gathered */
    int n;
    size_t cap;
    struct gx_peer_rec *peers;
    size_t npeers, peers_cap;
    gx_sid *pcis; /* the peers' PCI link names, each once */
    size_t npcis, pcis_cap;
    struct gx_strpool pool;
};

/* f packed as it travels to rank 0 (*out malloc'd, *len its bytes); -1 when out of memory. */
int gx_link_facts_pack(const struct gx_link_facts *f, unsigned char **out, size_t *len);
/* Packed bytes back into f; -1 where they are not a packing of facts (f then partly filled). */
int gx_link_facts_unpack(const void *bytes, size_t len, struct gx_link_facts *f);
/* f added as the store's next record; -1 when out of memory (the store as it was). */
int gx_link_store_add(struct gx_link_store *s, const struct gx_link_facts *f);
/* Gives back the room the store has beyond its records, once no more are to come. */
void gx_link_store_trim(struct gx_link_store *s);
/* Bytes the store holds, the pool's included. */
size_t gx_link_store_bytes(const struct gx_link_store *s);
void gx_link_store_free(struct gx_link_store *s);

/* Record i (NULL where s is NULL or i out of range) and a string of the store ("" for none). */
const struct gx_link_rec *gx_link_rec_of(const struct gx_link_store *s, int i);
const char *gx_link_str(const struct gx_link_store *s, gx_sid id);
/* Record i's facts whole into *out; -1 (and *out untouched) where there is no record i. */
int gx_link_facts_of(const struct gx_link_store *s, int i, struct gx_link_facts *out);
/* gx_route_pair of records a and b; -1 where either is missing. */
int gx_link_store_route(const struct gx_link_store *s, int a, int b, int a_dev, int b_dev,
                        int via_host, struct gx_route *out);

/* Health: degraded hardware, one line each, from every record of s (rank 0); appends to h (at
 * most max) and returns the count (links_health.c). */
int gx_health_from_store(const struct gx_link_store *s, struct gx_health *h, int max);

#endif
