/* Every rank's facts on rank 0, in one gather: typed rows, each string once in one pool. */
#ifndef GX_CONTEXT_H
#define GX_CONTEXT_H

#include "job.h"
#include "links_store.h"
#include "slots.h"

#include <stdint.h>

struct gx_ctx_link {
    int32_t rank;
    gx_sid link, source;
    int32_t p2p; /* 1, 0, -1 unknown */
};

/* One state of a rank's GPU as the counters' first reading found it (cnt -1: not read). */
struct gx_ctx_gpu_state {
    int32_t cnt;
    uint32_t value;
    gx_sid why;
};

/* One rank's context; its gx_sid members place strings in the rank's pool, then in rank 0's. */
struct gx_ctx_rank {
    int32_t present; /* 0: the rank's context did not come (null in the report) */
    int32_t rank, pid, node, local_rank, local_size, cuda_aware;
    gx_sid hostname, mpi_library, cpuset, cuda_aware_why, cuda_context, mpi_notice;
    gx_sid env;       /* "NAME\0value" entries: packed, pairs of strings; a row, a list of sids */
    gx_sid software;  /* "key\0value\0" pairs (versions.h), in order */
    gx_sid transport; /* struct gx_mpi_transport's bytes */
    uint32_t env_len, software_len, transport_len; /* packed: bytes; a row: env's count */
    int32_t has_topo; /* the topology's members (gpu, binding, links...) are known */
    int32_t has_gpu, fake, visible, nvisible, physical, has_facts;
    double memory, l2; /* bytes; 0 unknown */
    gx_sid why_no_gpu, gpu_name, busid, uuid, numa, nearest_nic, nearest_nic_link;
    gx_sid nic_name, nic_source, nic_place, nic_link; /* the NIC in use (struct gx_nic_use) */
    int32_t nic_flagged, applied;
    gx_sid policy, decision, reason, topology, planned, membind;
    gx_sid links;       /* nlinks struct gx_ctx_link */
    gx_sid warnings;    /* nwarnings gx_sid */
    gx_sid shared_with; /* nshared int32_t */
    gx_sid facts;       /* packed: the link facts; on rank 0 they go to all_facts, not the row */
    uint32_t facts_len;
    gx_sid gpu_state;   /* ngpu_state struct gx_ctx_gpu_state */
    int32_t nlinks, nwarnings, nshared, ngpu_state;
    uint32_t pool_len;  /* packed: the bytes of the rank's pool */
};

struct gx_ctx_pair {
    int a, b;
};

struct gx_context {
    int nranks, nnodes;
    struct gx_ctx_rank *ranks;
    struct gx_strpool pool;
    struct gx_ctx_pair *pairs;
    int npairs;
    size_t pairs_cap;
    struct gx_slots pair_index; /* the pairs by (a, b): a run of many rounds names each often */
    const struct gx_link_store *facts; /* the topology's, until the report is closed */
};

/* Rank 0 gets every rank's context and link facts with the pairs the runs measure. Collective. */
struct gx_pairs;
int gx_context_gather(const struct gx_job *job, const struct gx_pairs *runs, int nruns,
                      struct gx_context **out, struct gx_err *err);
void gx_context_free(struct gx_context *c);
int gx_context_add_pairs(struct gx_context *c, const struct gx_pairs *runs, int nruns);

/* Readers. */
const struct gx_ctx_rank *gx_ctx_rank(const struct gx_context *c, int rank);
const char *gx_ctx_str(const struct gx_context *c, gx_sid s);
const char *gx_ctx_text(const struct gx_context *c, gx_sid s); /* "" for GX_SID_NONE */
int gx_ctx_link_to(const struct gx_context *c, const struct gx_ctx_rank *r, int peer,
                   struct gx_ctx_link *out);
/* What the context says of a pair: a's link to b on one node, or each rank's NIC; the route. */
struct gx_ctx_pair_view {
    int same_node;
    const char *link, *link_source;
    int p2p;
    const char *nics[2];
    int has_route;
    struct gx_route route;
};
void gx_ctx_pair_view(const struct gx_context *c, int a, int b, struct gx_ctx_pair_view *out);
int gx_ctx_int_list(const char *list, int *out, int max);
size_t gx_context_bytes(const struct gx_context *c);

/* Packing: a rank's record and pool as they are built; after oom every put answers none. */
struct gx_ctx_packer {
    struct gx_ctx_rank rec;
    char *pool;
    size_t len, cap;
    int oom;
};
void gx_ctx_rank_init(struct gx_ctx_rank *r);
gx_sid gx_ctx_put(struct gx_ctx_packer *p, const void *bytes, size_t n);
gx_sid gx_ctx_put_str(struct gx_ctx_packer *p, const char *s);
/* Appends "key\0value\0" to the block at block (GX_SID_NONE before its first), *len bytes. */
void gx_ctx_put_kv(struct gx_ctx_packer *p, gx_sid *block, uint32_t *len, const char *key,
                   const char *value);
/* A packed record and its pool into a row of rank 0's pool; GX_EINPUT where a place is outside. */
int gx_ctx_unpack(const struct gx_ctx_rank *rec, const char *pool, size_t len,
                  struct gx_strpool *sp, struct gx_ctx_rank *row);

#endif
