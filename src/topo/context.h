/* Every rank's facts on rank 0 (context.c): who ran where, bound how, with which libraries and
 * settings, and its link facts, in one gather.
 *
 * Typed inside, JSON at the edge: each rank packs its facts as one fixed record (struct
 * gx_ctx_rank) whose strings and lists are places in a pool of its own (context_pack.c); rank 0
 * gathers the records, then the pools, and keeps one typed row per rank whose strings and blocks
 * are in one pool that holds each distinct one once (strpool.h): what ranks repeat (their MPI
 * library, the environment's variables, their software and MPI transport) costs one copy. The
 * table's header, the matrices, the host map and the transfer plan read the rows; the report's "context"
 * is written from them, a rank at a time, as the report is written (context_json.c). */
#ifndef GX_CONTEXT_H
#define GX_CONTEXT_H

#include "job.h"
#include "links_store.h"
#include "strpool.h"

#include <stdint.h>

/* A GPU link to another rank of the node (struct gx_topo_link). */
struct gx_ctx_link {
    int32_t rank;
    gx_sid link, source;
    int32_t p2p; /* 1, 0, -1 unknown */
};

/* One state of a rank's GPU as the counters' first reading found it (gpu_counters.h), for the
 * table's header: the counter (enum gx_cnt; -1: the GPU was not read at all), its value (at
 * most UINT32_MAX), or why it is unavailable (GX_SID_NONE: read). The reasons are strings of the
 * pool, so that the many ranks that give the same one hold it once. */
struct gx_ctx_gpu_state {
    int32_t cnt;
    uint32_t value;
    gx_sid why;
};

/* One rank's context. Packed, its gx_sid members are offsets into the rank's pool and the blocks
 * (env, software, transport, links, warnings, shared_with, gpu_state) are bytes there; in rank 0's rows they
 * are entries of the context's pool. GX_SID_NONE: absent (the report leaves the member out). */
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
    gx_sid facts;       /* packed: the link facts (gx_link_facts_pack), facts_len bytes; they go
                           to the topology's all_facts on rank 0, not to the row */
    uint32_t facts_len;
    gx_sid gpu_state;   /* ngpu_state struct gx_ctx_gpu_state */
    int32_t nlinks, nwarnings, nshared, ngpu_state;
    uint32_t pool_len;  /* packed: the bytes of the rank's pool */
};

/* A pair of ranks the plan measures (context.pairs), in the order the runs first name it. */
struct gx_ctx_pair {
    int a, b;
};

/* Rank 0's: every rank's row, the job's shape and the measured pairs. */
struct gx_context {
    int nranks, nnodes;
    struct gx_ctx_rank *ranks;
    struct gx_strpool pool;
    struct gx_ctx_pair *pairs;
    int npairs;
    size_t pairs_cap;
    struct gx_slots pair_index; /* the pairs by (a, b): a run of many rounds names each often */
    /* Every rank's link facts (the topology's all_facts, which the gather fills; NULL where
     * unknown), for "link_facts" and the pairs' routes: held by the topology until after the
     * report is closed. */
    const struct gx_link_store *facts;
};

/* Rank 0 gets every rank's context (*out, its to free with gx_context_free) with the pairs the
 * runs measure, and every rank's link facts in its topology's all_facts; the others NULL.
 * Collective; the caller agrees on the outcome. */
struct gx_pairs;
int gx_context_gather(const struct gx_job *job, const struct gx_pairs *runs, int nruns,
                      struct gx_context **out, struct gx_err *err);
void gx_context_free(struct gx_context *c);
/* Adds the pairs the runs measure, each once (rank 0). GX_ERUNTIME when out of memory. */
int gx_context_add_pairs(struct gx_context *c, const struct gx_pairs *runs, int nruns);

/* Readers. A rank's row (NULL where c is NULL, the rank is out of range or its context did not
 * come); a string of the pool (NULL for GX_SID_NONE); rank r's link to peer (NULL: none); the
 * NIC a rank's traffic leaves by: the one in use where the rank knows it, else its GPU's
 * nearest (NULL: none). */
const struct gx_ctx_rank *gx_ctx_rank(const struct gx_context *c, int rank);
const char *gx_ctx_str(const struct gx_context *c, gx_sid s);
const char *gx_ctx_text(const struct gx_context *c, gx_sid s); /* "" for GX_SID_NONE */
int gx_ctx_link_to(const struct gx_context *c, const struct gx_ctx_rank *r, int peer,
                   struct gx_ctx_link *out);
const char *gx_ctx_nic_of(const struct gx_context *c, const struct gx_ctx_rank *r);
/* What the context says of a pair: on one node, rank a's link to b (link NULL: a rank of the
 * pair has no GPU) and its peer access (1, 0, -1 unknown); across nodes, each rank's NIC (NULL:
 * none); the route between their GPUs' memories where every rank's link facts are known. */
struct gx_ctx_pair_view {
    int same_node;
    const char *link, *link_source;
    int p2p;
    const char *nics[2];
    int has_route;
    struct gx_route route;
};
void gx_ctx_pair_view(const struct gx_context *c, int a, int b, struct gx_ctx_pair_view *out);
/* The numbers of a list ("0,1": the GPU's NUMA nodes) into out (at most max); their count. */
int gx_ctx_int_list(const char *list, int *out, int max);
/* Rank 0's bytes for the context: the rows, the pool and the pairs. */
size_t gx_context_bytes(const struct gx_context *c);

/* Packing (context_pack.c). A rank's record and pool as they are built; a failed allocation is
 * kept in oom and every later put answers GX_SID_NONE. */
struct gx_ctx_packer {
    struct gx_ctx_rank rec;
    char *pool;
    size_t len, cap;
    int oom;
};
/* A record with nothing in it: every place GX_SID_NONE. */
void gx_ctx_rank_init(struct gx_ctx_rank *r);
/* Puts bytes (4-byte aligned) or a string with its '\0' into the pool: its offset, GX_SID_NONE
 * for NULL. */
gx_sid gx_ctx_put(struct gx_ctx_packer *p, const void *bytes, size_t n);
gx_sid gx_ctx_put_str(struct gx_ctx_packer *p, const char *s);
/* Appends "key\0value\0" to the block being built at block (its first put: GX_SID_NONE), whose
 * byte count is *len: the environment's and the software's. */
void gx_ctx_put_kv(struct gx_ctx_packer *p, gx_sid *block, uint32_t *len, const char *key,
                   const char *value);
/* A packed record and its pool (len bytes) into a row of rank 0's pool; GX_EINPUT where a place
 * lies outside the pool, GX_ERUNTIME out of memory. */
int gx_ctx_unpack(const struct gx_ctx_rank *rec, const char *pool, size_t len,
                  struct gx_strpool *sp, struct gx_ctx_rank *row);

#endif
