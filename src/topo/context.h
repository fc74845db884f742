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

/* The facts of a rank's context, one row each, in the order of the report's members:
 *   name  its member of struct gx_ctx_rank
 *   type  how it is held, sent and written (enum gx_ctx_type)
 *   when  which ranks have it (enum gx_ctx_when), by facts in rows above it
 *   json  its place in the rank's object of context.ranks ("gpu.name": member name of gpu;
 *         "a.b.": the members of an object into a.b); NULL: not in the report
 *   from  how the rank gathers it into its record and pool p from its sources (job, its
 *         topology t, host, lib, cpus, its MPI library's transport tr: gx_ctx_pack_rank):
 *         str() a string, opt() one that "" leaves out, *_block() a block
 *   shown how the table's header shows it (context_print.c): a column of the ranks' table or
 *         lines of its own, in the order of their places (the pairs at 12), or not at all.
 * Adding a fact is adding its row. */
#define GX_CONTEXT_FACTS(X) \
    X(rank, INT, ALL, "rank", job->rank, COL(2, "%4s", "-1", "rank", NULL)) \
    X(hostname, STR, ALL, "hostname", str(p, host), COL(3, "%-12.12s", "?", "host", NULL)) \
    X(pid, INT, ALL, "pid", getpid(), HIDDEN) \
    X(node, INT, ALL, "node", job->node, HIDDEN) \
    X(local_rank, INT, ALL, "local_rank", job->local_rank, HIDDEN) \
    X(local_size, INT, ALL, "local_size", job->local_size, HIDDEN) \
    X(mpi_library, STR, ALL, "mpi_library", str(p, lib), HIDDEN) \
    X(cpuset, STR, ALL, "cpuset", str(p, cpus), COL(7, "%-14s", "?", "cpuset", cpuset_column)) \
    X(cuda_aware, BOOL, ALL, "cuda_aware_mpi", job->cuda_aware, HIDDEN) \
    X(cuda_aware_why, STR, ALL, "cuda_aware_mpi_reason", str(p, job->cuda_aware_why), HIDDEN) \
    X(cuda_context, STR, ALL, "cuda_context", str(p, gx_gpu_early_why()), HIDDEN) \
    X(mpi_notice, STR, ALL, "mpi_startup_notice", opt(p, job->mpi_notice), LINES(20, note_lines)) \
    X(mpi_kind, STR, ALL, "mpi_transport.library", str(p, tr->library), HIDDEN) \
    X(mpi_pml, STR, ALL, "mpi_transport.pml", opt(p, tr->pml), HIDDEN) \
    X(has_btl, BOOL, ALL, NULL, tr->has_btl, HIDDEN) \
    X(mpi_btl, STRS, BTL, "mpi_transport.btl", names_block(p, &tr->btl), HIDDEN) \
    X(mpi_device, STR, ALL, "mpi_transport.device", opt(p, tr->device), HIDDEN) \
    X(has_ucx, BOOL, ALL, NULL, tr->ucx.loaded, HIDDEN) \
    X(ucx_version, STR, UCX, "mpi_transport.ucx.version", \
      tr->ucx.has_version ? str(p, tr->ucx.version) : GX_SID_NONE, HIDDEN) \
    X(ucx_settings, PAIRS, UCX, "mpi_transport.ucx.", ucx_settings_block(p, &tr->ucx), HIDDEN) \
    X(ucx_modules, STRS, UCX, "mpi_transport.ucx.transport_modules", \
      names_block(p, &tr->ucx.modules), HIDDEN) \
    X(env, PAIRS, ALL, "env", env_block(p), HIDDEN) \
    X(software, PAIRS, ALL, "software", software_block(p), HIDDEN) \
    X(has_gpu, BOOL, TOPO, "gpu.present", t->has_gpu, HIDDEN) \
    X(fake, BOOL, TOPO, "gpu.fake", t->fake, HIDDEN) \
    X(why_no_gpu, STR, NO_GPU, "gpu.reason", str(p, t->why_no_gpu), HIDDEN) \
    X(visible, INT, GPU, "gpu.visible_index", t->visible, COL(4, "%-12s", "-", "GPU", gpu_column)) \
    X(nvisible, INT, GPU, "gpu.visible_count", t->nvisible, HIDDEN) \
    X(physical, INDEX, GPU, "gpu.physical_index", t->physical, HIDDEN) \
    X(gpu_name, STR, GPU, "gpu.name", str(p, t->name), HIDDEN) \
    X(busid, STR, GPU, "gpu.pci_bus_id", str(p, t->busid), COL(5, "%-12s", "-", "bus id", NULL)) \
    X(uuid, STR, GPU, "gpu.uuid", opt(p, t->uuid), HIDDEN) \
    X(memory, BYTES, GPU, "gpu.memory_bytes", t->memory, HIDDEN) \
    X(l2, BYTES, GPU, "gpu.l2_bytes", t->l2, HIDDEN) \
    X(numa, INT_LIST, GPU, "gpu.numa_nodes", str(p, t->numa), COL(6, "%-4s", "-", "NUMA", NULL)) \
    X(nearest_nic, STR, GPU, "gpu.nearest_nic.name", opt(p, t->nic), HIDDEN) \
    X(nearest_nic_link, STR, NEAR_NIC, "gpu.nearest_nic.link", \
      str(p, t->nic_link ? t->nic_link : "?"), HIDDEN) \
    X(shared_with, INTS, GPU, "gpu.shared_with", \
      ints_block(p, t->shared_with, t->nshared), HIDDEN) \
    X(nic_name, STR, TOPO, "nic.name", opt(p, t->nic_use.name), \
      COL(8, "%-20s", "-", "NIC", nic_column)) \
    X(nic_source, STR, NIC, "nic.source", str(p, t->nic_use.source), HIDDEN) \
    X(nic_place, STR, NIC, "nic.place", str(p, t->nic_use.place), HIDDEN) \
    X(nic_link, STR, NIC, "nic.link", str(p, t->nic_use.link), HIDDEN) \
    X(nic_flagged, BOOL, NIC, "nic.flagged", t->nic_use.flagged, HIDDEN) \
    X(policy, STR, TOPO, "binding.policy", str(p, t->policy), HIDDEN) \
    X(decision, STR, TOPO, "binding.decision", str(p, t->decision), \
      COL(9, "%s", "?", "binding", NULL)) \
    X(reason, STR, TOPO, "binding.reason", str(p, t->reason), HIDDEN) \
    X(applied, BOOL, TOPO, "binding.applied", t->applied, HIDDEN) \
    X(topology, STR, TOPO, "binding.topology", str(p, t->topology), LINES(1, topology_line)) \
    X(planned, STR, TOPO, "binding.planned_cpuset", opt(p, t->planned), HIDDEN) \
    X(membind, STR, TOPO, "binding.memory", str(p, t->membind), HIDDEN) \
    X(links, LINKS, TOPO, "gpu_links", links_block(p, t), HIDDEN) \
    X(facts, LINK_FACTS, TOPO, "link_facts", facts_block(p, t->facts), LINES(10, link_lines)) \
    X(warnings, STRS, TOPO, "warnings", warnings_block(p, t), LINES(13, warning_lines)) \
    X(gpu_state, GPU_STATE, GPU, NULL, gpu_state_block(p, job->gpu_start), \
      LINES(11, gpu_state_lines))

/* How a fact is held in its row: INT, BOOL and INDEX (absent when negative) int32_t; BYTES
 * double (absent when 0); STR a string; INT_LIST a string "0,1" written as a list; the rest
 * blocks of the pool, each its own shape. Numbers first. */
enum gx_ctx_type {
    GX_CTX_T_INT, GX_CTX_T_BOOL, GX_CTX_T_INDEX, GX_CTX_T_BYTES, GX_CTX_T_STR, GX_CTX_T_INT_LIST,
    GX_CTX_T_PAIRS,     /* n gx_sid, each an entry "name\0value" */
    GX_CTX_T_INTS,      /* n int32_t */
    GX_CTX_T_LINKS,     /* n struct gx_ctx_link */
    GX_CTX_T_STRS,      /* n gx_sid */
    GX_CTX_T_LINK_FACTS, /* struct gx_link_facts; on rank 0 it goes to the topology's store */
    GX_CTX_T_GPU_STATE, /* n struct gx_ctx_gpu_state */
};

/* Which ranks have a fact: all, those whose topology is known, with a GPU, without one, with a
 * NIC in use, with a GPU whose nearest NIC is known, whose MPI library says its BTLs, has UCX. */
enum gx_ctx_when {
    GX_CTX_W_ALL, GX_CTX_W_TOPO, GX_CTX_W_GPU, GX_CTX_W_NO_GPU, GX_CTX_W_NIC, GX_CTX_W_NEAR_NIC,
    GX_CTX_W_BTL, GX_CTX_W_UCX
};

/* A block of the pool: bytes or entries, as its type says. */
struct gx_ctx_block {
    gx_sid at;
    uint32_t n;
};

#define GX_CTX_MEMBER_INT int32_t
#define GX_CTX_MEMBER_BOOL int32_t
#define GX_CTX_MEMBER_INDEX int32_t
#define GX_CTX_MEMBER_BYTES double
#define GX_CTX_MEMBER_STR gx_sid
#define GX_CTX_MEMBER_INT_LIST gx_sid
#define GX_CTX_MEMBER_PAIRS struct gx_ctx_block
#define GX_CTX_MEMBER_INTS struct gx_ctx_block
#define GX_CTX_MEMBER_LINKS struct gx_ctx_block
#define GX_CTX_MEMBER_STRS struct gx_ctx_block
#define GX_CTX_MEMBER_LINK_FACTS struct gx_ctx_block
#define GX_CTX_MEMBER_GPU_STATE struct gx_ctx_block

/* One rank's context; its gx_sid places strings in the rank's pool, then in rank 0's. */
struct gx_ctx_rank {
    int32_t present;  /* 0: the rank's context did not come (null in the report) */
    int32_t has_topo; /* the topology's facts (gpu, binding, links...) are known */
    uint32_t pool_len; /* packed: the bytes of the rank's pool */
#define GX_CTX_MEMBER(name, type, when, json, from, shown) GX_CTX_MEMBER_##type name;
    GX_CONTEXT_FACTS(GX_CTX_MEMBER)
#undef GX_CTX_MEMBER
};

/* The table as data, for the writers. */
struct gx_ctx_fact {
    const char *name;
    enum gx_ctx_type type;
    enum gx_ctx_when when;
    const char *json;
    size_t offset;    /* in struct gx_ctx_rank */
};
#define GX_CTX_COUNT(...) +1
enum { GX_CTX_NFACTS = 0 GX_CONTEXT_FACTS(GX_CTX_COUNT) };
extern const struct gx_ctx_fact gx_ctx_facts[GX_CTX_NFACTS];
/* Whether rank r has the fact (r NULL: none). */
int gx_ctx_has(const struct gx_ctx_rank *r, enum gx_ctx_when when);
#define GX_CTX_MEMBER_OF(r, f) ((const void *)((const char *)(r) + (f)->offset))

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
/* A rank's host name, "?" where the context has none. */
const char *gx_host_of(const struct gx_context *context, int rank);
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

/* Packing: a rank's record and pool as they are built; after oom every put answers none. */
struct gx_ctx_packer {
    struct gx_ctx_rank rec;
    struct gx_strpool pool; /* sent as it is: rank 0 reads each entry where it lies whole */
    int oom;
};
void gx_ctx_rank_init(struct gx_ctx_rank *r);
gx_sid gx_ctx_put(struct gx_ctx_packer *p, const void *bytes, size_t n);
gx_sid gx_ctx_put_str(struct gx_ctx_packer *p, const char *s);
/* A PAIRS fact as it is gathered: an entry "key\0value" for each pair, then their list. */
struct gx_ctx_pairs {
    struct gx_ctx_packer *p;
    gx_sid *s;
    size_t n, cap;
};
void gx_ctx_pair(void *pairs, const char *key, const char *value);
struct gx_ctx_block gx_ctx_pairs_put(struct gx_ctx_pairs *l);
/* This rank's facts as the table says, into p (context.c). */
int gx_ctx_pack_rank(const struct gx_job *job, struct gx_ctx_packer *p, struct gx_err *err);
/* A packed record and its pool into a row of rank 0's pool; GX_EINPUT where a place is outside. */
int gx_ctx_unpack(const struct gx_ctx_rank *rec, const char *pool, size_t len,
                  struct gx_strpool *sp, struct gx_ctx_rank *row);

#endif
