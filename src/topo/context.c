#include "config.h"
#include "context.h"
#include "gpu.h"
#include "gpu_counters.h"
#include "mpilib.h"
#include "pairs.h"
#include "tags.h"
#include "topo.h"
#include "versions.h"

#include <hwloc.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A rank's context as one record and a pool, and back, every place checked against the pool. */
enum { GX_CTX_STRINGS = 23 };
static size_t string_members(struct gx_ctx_rank *r, gx_sid **m)
{
    gx_sid *all[] = {&r->hostname,   &r->mpi_library,  &r->cpuset,     &r->cuda_aware_why,
                     &r->cuda_context, &r->mpi_notice, &r->why_no_gpu, &r->gpu_name,
                     &r->busid,      &r->uuid,         &r->numa,       &r->nearest_nic,
                     &r->nearest_nic_link, &r->nic_name, &r->nic_source, &r->nic_place,
                     &r->nic_link,   &r->policy,       &r->decision,   &r->reason,
                     &r->topology,   &r->planned,      &r->membind};
    _Static_assert(GX_ARRAY_LEN(all) == GX_CTX_STRINGS, "GX_CTX_STRINGS");
    memcpy(m, all, sizeof all);
    return GX_ARRAY_LEN(all);
}

void gx_ctx_rank_init(struct gx_ctx_rank *r)
{
    memset(r, 0, sizeof *r);
    gx_sid *m[GX_CTX_STRINGS];
    size_t n = string_members(r, m);
    for (size_t i = 0; i < n; i++)
        *m[i] = GX_SID_NONE;
    r->env = r->software = r->transport = GX_SID_NONE;
    r->links = r->warnings = r->shared_with = r->facts = r->gpu_state = GX_SID_NONE;
}

static int reserve(struct gx_ctx_packer *p, size_t n)
{
    char *b = p->oom ? NULL : gx_reserve(p->pool, &p->cap, p->len + n, 4096, 1);
    p->oom |= !b;
    p->pool = b ? b : p->pool;
    return b ? 0 : -1;
}

gx_sid gx_ctx_put(struct gx_ctx_packer *p, const void *bytes, size_t n)
{
    size_t pad = (4 - p->len % 4) % 4;
    if (!bytes || reserve(p, pad + n) != 0 || p->len + pad + n >= GX_SID_NONE)
        return GX_SID_NONE;
    memset(p->pool + p->len, 0, pad);
    p->len += pad;
    memcpy(p->pool + p->len, bytes, n);
    gx_sid at = (gx_sid)p->len;
    p->len += n;
    p->rec.pool_len = (uint32_t)p->len;
    return at;
}

gx_sid gx_ctx_put_str(struct gx_ctx_packer *p, const char *s)
{
    return s ? gx_ctx_put(p, s, strlen(s) + 1) : GX_SID_NONE;
}

void gx_ctx_put_kv(struct gx_ctx_packer *p, gx_sid *block, uint32_t *len, const char *key,
                   const char *value)
{
    size_t k = strlen(key) + 1, v = strlen(value) + 1;
    if (*block == GX_SID_NONE) { /* the block's first: aligned, as every block */
        *block = gx_ctx_put(p, key, k);
        *len = 0;
    } else if (reserve(p, k) == 0) {
        memcpy(p->pool + p->len, key, k);
        p->len += k;
    }
    if (*block == GX_SID_NONE || reserve(p, v) != 0)
        return;
    memcpy(p->pool + p->len, value, v);
    p->len += v;
    p->rec.pool_len = (uint32_t)p->len;
    *len += (uint32_t)(k + v);
}

struct unpacking {
    const char *pool;
    size_t len;
    struct gx_strpool *sp;
    int rc;
};

static int in_pool(const struct unpacking *u, gx_sid at, size_t n)
{
    return at != GX_SID_NONE && at <= u->len && n <= u->len - at;
}

static gx_sid take(struct unpacking *u, const void *bytes, size_t n)
{
    gx_sid s = gx_strpool_add(u->sp, bytes, n);
    if (s == GX_SID_NONE && u->rc == GX_OK)
        u->rc = GX_ERUNTIME;
    return s;
}

static void block(struct unpacking *u, gx_sid *s, size_t n)
{
    if (*s == GX_SID_NONE)
        return;
    if (!in_pool(u, *s, n)) {
        u->rc = GX_EINPUT;
        *s = GX_SID_NONE;
        return;
    }
    *s = take(u, u->pool + *s, n);
}

/* A string: the block up to its '\0', which must lie in the pool. */
static void str(struct unpacking *u, gx_sid *s)
{
    const char *end = *s < u->len ? memchr(u->pool + *s, '\0', u->len - *s) : NULL;
    block(u, s, end ? (size_t)(end - (u->pool + *s)) : u->len + 1);
}

/* "NAME\0value\0" pairs into a list of one entry each: a variable alike everywhere is one entry. */
static void env(struct unpacking *u, struct gx_ctx_rank *row)
{
    if (row->env == GX_SID_NONE || !in_pool(u, row->env, row->env_len)) {
        u->rc = row->env == GX_SID_NONE ? u->rc : GX_EINPUT;
        row->env = GX_SID_NONE;
        row->env_len = 0;
        return;
    }
    const char *p = u->pool + row->env, *end = p + row->env_len;
    size_t n = 0, cap = 64;
    gx_sid *list = malloc(cap * sizeof *list);
    while (list && p < end) {
        const char *name_end = memchr(p, '\0', (size_t)(end - p));
        const char *value_end = name_end ? memchr(name_end + 1, '\0', (size_t)(end - name_end - 1))
                                         : NULL;
        if (!value_end) {
            u->rc = GX_EINPUT;
            break;
        }
        gx_sid *more = n == cap ? realloc(list, (cap *= 2) * sizeof *list) : list;
        if (!more) {
            free(list);
            list = NULL;
            break;
        }
        list = more;
        list[n++] = take(u, p, (size_t)(value_end - p));
        p = value_end + 1;
    }
    row->env = list ? take(u, list, n * sizeof *list) : GX_SID_NONE;
    row->env_len = (uint32_t)n;
    if (!list && u->rc == GX_OK)
        u->rc = GX_ERUNTIME;
    free(list);
}

/* A list of *n records whose members at the offsets strs[] name strings: all into rank 0's. */
static void list(struct unpacking *u, gx_sid *at, int32_t *n, size_t size, const size_t *strs,
                 size_t nstrs)
{
    size_t k = (size_t)*n;
    char *l = calloc(k ? k : 1, size);
    if (!l || !in_pool(u, *at, k * size)) {
        u->rc = l ? GX_EINPUT : GX_ERUNTIME;
        *at = GX_SID_NONE;
        *n = 0;
        free(l);
        return;
    }
    memcpy(l, u->pool + *at, k * size);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < nstrs; j++) {
            gx_sid s;
            memcpy(&s, l + i * size + strs[j], sizeof s);
            str(u, &s);
            memcpy(l + i * size + strs[j], &s, sizeof s);
        }
    *at = take(u, l, k * size);
    free(l);
}

int gx_ctx_unpack(const struct gx_ctx_rank *rec, const char *pool, size_t len,
                  struct gx_strpool *sp, struct gx_ctx_rank *row)
{
    struct unpacking u = {pool, len, sp, GX_OK};
    *row = *rec;
    row->facts = GX_SID_NONE; /* the topology's, not the row's */
    row->facts_len = 0;
    if (rec->nlinks < 0 || rec->nwarnings < 0 || rec->nshared < 0 || rec->ngpu_state < 0 ||
        (size_t)rec->nlinks > len || (size_t)rec->nwarnings > len || (size_t)rec->nshared > len ||
        (size_t)rec->ngpu_state > len) {
        row->present = 0;
        return GX_EINPUT;
    }
    gx_sid *strs[GX_CTX_STRINGS];
    size_t nstrs = string_members(row, strs);
    for (size_t i = 0; i < nstrs; i++)
        str(&u, strs[i]);
    env(&u, row);
    block(&u, &row->software, row->software_len);
    block(&u, &row->transport, row->transport_len);
    block(&u, &row->shared_with, (size_t)row->nshared * sizeof(int32_t));
    static const size_t link_strs[] = {offsetof(struct gx_ctx_link, link),
                                       offsetof(struct gx_ctx_link, source)};
    static const size_t warning_strs[] = {0};
    list(&u, &row->links, &row->nlinks, sizeof(struct gx_ctx_link), link_strs, 2);
    list(&u, &row->warnings, &row->nwarnings, sizeof(gx_sid), warning_strs, 1);
    static const size_t state_strs[] = {offsetof(struct gx_ctx_gpu_state, why)};
    if (row->gpu_state != GX_SID_NONE) /* none: a rank without a GPU */
        list(&u, &row->gpu_state, &row->ngpu_state, sizeof(struct gx_ctx_gpu_state), state_strs,
             1);
    else
        row->ngpu_state = 0;
    row->pool_len = 0;
    if (u.rc != GX_OK)
        row->present = 0;
    return u.rc;
}

extern char **environ;

/* HWLOC_: gpuxfer sets HWLOC_COMPONENTS itself where it is not given (main.c). */
static const char *const env_prefixes[] = {"OMPI_", "PMIX_", "UCX_", "NCCL_", "SLURM_", "CUDA_",
                                           "MPICH_", "MV2_", "FI_", "HWLOC_"};

static void pack_env(struct gx_ctx_packer *p)
{
    for (char **e = environ; *e; e++) {
        for (size_t i = 0; i < GX_ARRAY_LEN(env_prefixes); i++) {
            if (strncmp(*e, env_prefixes[i], strlen(env_prefixes[i])) != 0)
                continue;
            const char *eq = strchr(*e, '=');
            if (!eq)
                break;
            char name[256];
            size_t len = (size_t)(eq - *e) < sizeof name - 1 ? (size_t)(eq - *e) : sizeof name - 1;
            memcpy(name, *e, len);
            name[len] = '\0';
            gx_ctx_put_kv(p, &p->rec.env, &p->rec.env_len, name, eq + 1);
            break;
        }
    }
}

static void put_software(void *ctx, const char *key, const char *value)
{
    struct gx_ctx_packer *p = ctx;
    gx_ctx_put_kv(p, &p->rec.software, &p->rec.software_len, key, value);
}

static int bound_cpuset(char **out, struct gx_err *err)
{
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0)
        return gx_fail(err, GX_ERUNTIME, "hwloc_topology_init failed");
    int rc = GX_OK;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set || hwloc_topology_load(topo) != 0)
        rc = gx_fail(err, GX_ERUNTIME, "hwloc_topology_load failed");
    else if (hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_PROCESS) != 0)
        rc = gx_fail(err, GX_ERUNTIME, "hwloc_get_cpubind failed");
    else if (hwloc_bitmap_list_asprintf(out, set) < 0)
        rc = gx_fail(err, GX_ERUNTIME, "out of host memory");
    hwloc_bitmap_free(set);
    hwloc_topology_destroy(topo);
    return rc;
}

static gx_sid put_nonempty(struct gx_ctx_packer *p, const char *s)
{
    return s && s[0] ? gx_ctx_put_str(p, s) : GX_SID_NONE;
}

static void pack_gpu(const struct gx_topo_rank *t, struct gx_ctx_packer *p)
{
    struct gx_ctx_rank *r = &p->rec;
    r->has_gpu = t->has_gpu;
    r->fake = t->fake;
    if (!t->has_gpu) {
        r->why_no_gpu = gx_ctx_put_str(p, t->why_no_gpu);
    } else {
        r->visible = t->visible;
        r->nvisible = t->nvisible;
        r->physical = t->physical;
        r->gpu_name = gx_ctx_put_str(p, t->name);
        r->busid = gx_ctx_put_str(p, t->busid);
        r->uuid = put_nonempty(p, t->uuid);
        r->memory = t->memory;
        r->l2 = t->l2;
        r->numa = gx_ctx_put_str(p, t->numa);
        r->nearest_nic = put_nonempty(p, t->nic);
        r->nearest_nic_link = gx_ctx_put_str(p, t->nic_link);
        int32_t shared[GX_MAX_GPUS];
        for (int i = 0; i < t->nshared; i++)
            shared[i] = t->shared_with[i];
        r->shared_with = gx_ctx_put(p, shared, (size_t)t->nshared * sizeof *shared);
        r->nshared = t->nshared;
    }
    struct gx_ctx_link *l = calloc((size_t)(t->nlinks > 0 ? t->nlinks : 1), sizeof *l);
    for (int i = 0; l && i < t->nlinks; i++)
        l[i] = (struct gx_ctx_link){t->links[i].rank, gx_ctx_put_str(p, t->links[i].link),
                                    gx_ctx_put_str(p, t->links[i].source), t->links[i].p2p};
    r->links = l ? gx_ctx_put(p, l, (size_t)t->nlinks * sizeof *l) : GX_SID_NONE;
    r->nlinks = t->nlinks;
    p->oom |= !l;
    free(l);
}

static void pack_topo(const struct gx_topo_rank *t, struct gx_ctx_packer *p)
{
    struct gx_ctx_rank *r = &p->rec;
    if (!t)
        return;
    r->has_topo = 1;
    pack_gpu(t, p);
    if (t->nic_use.name[0]) {
        r->nic_name = gx_ctx_put_str(p, t->nic_use.name);
        r->nic_source = gx_ctx_put_str(p, t->nic_use.source);
        r->nic_place = gx_ctx_put_str(p, t->nic_use.place);
        r->nic_link = gx_ctx_put_str(p, t->nic_use.link);
        r->nic_flagged = t->nic_use.flagged;
    }
    r->policy = gx_ctx_put_str(p, t->policy);
    r->decision = gx_ctx_put_str(p, t->decision);
    r->reason = gx_ctx_put_str(p, t->reason);
    r->applied = t->applied;
    r->topology = gx_ctx_put_str(p, t->topology);
    r->planned = put_nonempty(p, t->planned);
    r->membind = gx_ctx_put_str(p, t->membind);
    r->has_facts = t->facts != NULL;
    unsigned char *facts = NULL;
    size_t len = 0;
    if (t->facts && gx_link_facts_pack(t->facts, &facts, &len) == 0) {
        r->facts = gx_ctx_put(p, facts, len);
        r->facts_len = (uint32_t)len;
    }
    p->oom |= t->facts && !facts;
    free(facts);
    gx_sid w[GX_ARRAY_LEN(t->warnings)];
    for (int i = 0; i < t->nwarnings; i++)
        w[i] = gx_ctx_put_str(p, t->warnings[i]);
    r->warnings = gx_ctx_put(p, w, (size_t)t->nwarnings * sizeof *w);
    r->nwarnings = t->nwarnings;
}

/* The GPU's state at the counters' first reading (g; NULL: not read), as the header prints it. */
static void pack_gpu_state(const struct gx_gpu_counters *g, struct gx_ctx_packer *p)
{
    static const enum gx_cnt shown[] = {GX_CNT_SM_MHZ,      GX_CNT_MEM_MHZ,
                                        GX_CNT_POWER_LIMIT, GX_CNT_PERSISTENCE,
                                        GX_CNT_MIG,         GX_CNT_MPS,
                                        GX_CNT_ECC_MODE,    GX_CNT_ECC_PENDING,
                                        GX_CNT_ECC_CORRECTED, GX_CNT_ECC_UNCORRECTED};
    struct gx_ctx_gpu_state s[GX_ARRAY_LEN(shown)];
    int n = 0;
    if (!g || !g->read) {
        s[n++] = (struct gx_ctx_gpu_state){
            -1, 0, gx_ctx_put_str(p, g ? g->none : "out of host memory for the reading")};
    } else {
        for (size_t i = 0; i < GX_ARRAY_LEN(shown); i++) {
            enum gx_cnt c = shown[i];
            int why = g->why[c] >= 0 && g->why[c] < GX_CNT_REASONS ? g->why[c] : -1;
            uint64_t v = g->before[c];
            s[n++] = (struct gx_ctx_gpu_state){
                (int32_t)c, v > UINT32_MAX ? UINT32_MAX : (uint32_t)v,
                why >= 0 ? gx_ctx_put_str(p, g->reasons[why]) : GX_SID_NONE};
        }
    }
    p->rec.gpu_state = gx_ctx_put(p, s, (size_t)n * sizeof *s);
    p->rec.ngpu_state = n;
}

static int pack_rank(const struct gx_job *job, struct gx_ctx_packer *p, struct gx_err *err)
{
    char host[256] = "", lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "unknown");
    GX_MPI_TRY(err, gx_mpi_library(lib, sizeof lib));
    char *cpus = NULL;
    GX_TRY(bound_cpuset(&cpus, err));
    struct gx_mpi_transport *tr = malloc(sizeof *tr);
    struct gx_ctx_rank *r = &p->rec;
    r->present = 1;
    r->rank = job->rank;
    r->pid = (int32_t)getpid();
    r->node = job->node;
    r->local_rank = job->local_rank;
    r->local_size = job->local_size;
    r->cuda_aware = job->cuda_aware;
    r->hostname = gx_ctx_put_str(p, host);
    r->mpi_library = gx_ctx_put_str(p, lib);
    r->cpuset = gx_ctx_put_str(p, cpus);
    r->cuda_aware_why = gx_ctx_put_str(p, job->cuda_aware_why);
    r->cuda_context = gx_ctx_put_str(p, gx_gpu_early_why());
    r->mpi_notice = put_nonempty(p, job->mpi_notice);
    if (tr) {
        gx_mpilib_transport(lib, tr);
        r->transport = gx_ctx_put(p, tr, sizeof *tr);
        r->transport_len = sizeof *tr;
    }
    pack_env(p);
    gx_software_each(put_software, p);
    pack_topo(job->topo, p);
    if (job->topo && job->topo->has_gpu)
        pack_gpu_state(job->gpu_start, p);
    free(tr);
    free(cpus);
    return p->oom || !tr ? gx_fail(err, GX_ERUNTIME, "out of host memory") : GX_OK;
}

/* The most bytes of pools in flight to rank 0 at once, however many ranks there are. */
#define CTX_WINDOW_BYTES ((size_t)1 << 20)

/* Rank 0: rank i's link facts into the store (a rank without them leaves the store NULL). */
static int store_facts(struct gx_link_store **store, int i, const struct gx_ctx_rank *row,
                       const char *pool)
{
    struct gx_link_facts f;
    int whole = *store && row->present && row->facts != GX_SID_NONE &&
                (size_t)row->facts + row->facts_len <= row->pool_len &&
                gx_link_facts_unpack(pool + row->facts, row->facts_len, &f) == 0 && f.rank == i;
    if (whole && gx_link_store_add(*store, &f) != 0)
        return GX_ERUNTIME;
    if (!whole) {
        gx_link_store_free(*store);
        free(*store);
        *store = NULL;
    }
    return GX_OK;
}

/* Rank 0: the pools of ranks [from, to) into their rows; a garbled one is left out (null). */
static int unpack_window(struct gx_context *c, struct gx_link_store **store, int from, int to,
                         const char *pools, const size_t *at, struct gx_err *err)
{
    for (int i = from; i < to; i++) {
        struct gx_ctx_rank *row = &c->ranks[i];
        if (store_facts(store, i, row, pools + at[i - from]) != GX_OK)
            return gx_fail(err, GX_ERUNTIME, "out of host memory for the link facts");
        /* In place: gx_ctx_unpack copies the record first. */
        if (row->present && gx_ctx_unpack(row, pools + at[i - from], row->pool_len, &c->pool,
                                          row) == GX_ERUNTIME)
            return gx_fail(err, GX_ERUNTIME, "out of host memory for the report's context");
    }
    return GX_OK;
}

/* Rank 0: every other rank's pool, window by window: a go (0: its row stays empty), the pool. */
static int root_pools(const struct gx_job *job, struct gx_context *c,
                      const struct gx_ctx_packer *own, struct gx_link_store **store,
                      struct gx_err *err)
{
    int rc = GX_OK, n = c->nranks;
    size_t cap = CTX_WINDOW_BYTES, *at = malloc((size_t)n * sizeof *at);
    char *pools = malloc(cap);
    MPI_Request *req = malloc(2 * (size_t)n * sizeof *req);
    if (!pools || !at || !req) {
        free(pools);
        free(at);
        free(req);
        return gx_fail(err, GX_ERUNTIME, "out of host memory for the report's context");
    }
    static const int yes = 1, no = 0;
    int mrc = MPI_SUCCESS;
    for (int from = 0; from < n && mrc == MPI_SUCCESS;) {
        int to = from, nreq = 0;
        size_t used = 0;
        /* A window holds at least one rank, however large its pool. */
        while (to < n && (to == from || used + c->ranks[to].pool_len <= cap)) {
            used += c->ranks[to].pool_len;
            to++;
        }
        char *more = used > cap ? realloc(pools, used) : pools;
        int room = more != NULL;
        if (more) {
            pools = more;
            cap = used > cap ? used : cap;
        } else {
            rc = gx_fail(err, GX_ERUNTIME, "out of host memory for the report's context");
        }
        used = 0;
        for (int i = from; i < to && mrc == MPI_SUCCESS; i++) {
            struct gx_ctx_rank *r = &c->ranks[i];
            int take = room && r->present && r->pool_len;
            r->present &= room;
            at[i - from] = used;
            if (i == 0) {
                if (take)
                    memcpy(pools + used, own->pool, r->pool_len);
            } else {
                mrc = MPI_Isend(take ? &yes : &no, 1, MPI_INT, i, GX_TAG_CTX_GO, job->comm,
                                &req[nreq++]);
                if (mrc == MPI_SUCCESS && take)
                    mrc = MPI_Irecv(pools + used, (int)r->pool_len, MPI_BYTE, i,
                                    GX_TAG_CTX_POOL, job->comm, &req[nreq++]);
            }
            used += take ? r->pool_len : 0;
        }
        if (mrc == MPI_SUCCESS)
            mrc = MPI_Waitall(nreq, req, MPI_STATUSES_IGNORE);
        if (mrc != MPI_SUCCESS)
            rc = gx_fail_mpi(err, mrc, "gathering the report's context", __FILE__, __LINE__);
        else if (room && rc == GX_OK)
            rc = unpack_window(c, store, from, to, pools, at, err);
        from = to;
    }
    free(pools);
    free(at);
    free(req);
    return rc;
}

int gx_context_gather(const struct gx_job *job, const struct gx_pairs *runs, int nruns,
                      struct gx_context **out, struct gx_err *err)
{
    struct gx_ctx_packer p = {.len = 0};
    gx_ctx_rank_init(&p.rec);
    *out = NULL;
    int rc = pack_rank(job, &p, err);
    /* Even a failed rank takes part, so that nobody waits in the gather. */
    if (rc != GX_OK) {
        gx_ctx_rank_init(&p.rec);
        p.len = 0;
    }
    p.rec.pool_len = (uint32_t)p.len; /* what rank 0 makes room for is what comes */
    struct gx_context *c = NULL;
    struct gx_link_store *store = NULL;
    int room = 1;
    if (job->rank == 0 && (!(c = calloc(1, sizeof *c)) ||
                           !(c->ranks = calloc((size_t)job->size, sizeof *c->ranks)) ||
                           !(store = calloc(1, sizeof *store)))) {
        gx_context_free(c);
        c = NULL;
        room = 0;
        rc = gx_fail(err, GX_ERUNTIME, "out of host memory for the report's context");
    }
    int mrc = MPI_Bcast(&room, 1, MPI_INT, 0, job->comm); /* whether rank 0 has its rows */
    if (mrc == MPI_SUCCESS && room)
        mrc = MPI_Gather(&p.rec, (int)sizeof p.rec, MPI_BYTE, c ? (void *)c->ranks : NULL,
                         (int)sizeof p.rec, MPI_BYTE, 0, job->comm);
    if (mrc != MPI_SUCCESS) {
        rc = gx_fail_mpi(err, mrc, "gathering the report's context", __FILE__, __LINE__);
    } else if (c) {
        c->nranks = job->size;
        c->nnodes = job->nnodes;
        int prc = root_pools(job, c, &p, &store, err);
        rc = rc == GX_OK ? prc : rc;
        if (rc == GX_OK && gx_context_add_pairs(c, runs, nruns) != GX_OK)
            rc = gx_fail(err, GX_ERUNTIME, "out of host memory for the context's pairs");
        gx_strpool_trim(&c->pool);
    } else if (room) {
        int go = 0;
        mrc = MPI_Recv(&go, 1, MPI_INT, 0, GX_TAG_CTX_GO, job->comm, MPI_STATUS_IGNORE);
        if (mrc == MPI_SUCCESS && go)
            mrc = MPI_Send(p.pool, (int)p.len, MPI_BYTE, 0, GX_TAG_CTX_POOL, job->comm);
        if (mrc != MPI_SUCCESS)
            rc = gx_fail_mpi(err, mrc, "sending this rank's context", __FILE__, __LINE__);
    }
    free(p.pool);
    if (store && job->topo) { /* the topology holds them: the ratings read them too */
        gx_link_store_trim(store);
        job->topo->all_facts = store;
    } else if (store) {
        gx_link_store_free(store);
        free(store);
    }
    if (c)
        c->facts = job->topo ? job->topo->all_facts : NULL;
    if (rc == GX_OK)
        *out = c;
    else
        gx_context_free(c);
    return rc;
}

void gx_context_free(struct gx_context *c)
{
    if (!c)
        return;
    free(c->ranks);
    free(c->pairs);
    gx_slots_free(&c->pair_index);
    gx_strpool_free(&c->pool);
    free(c);
}

static uint64_t pair_hash_of(int a, int b)
{
    return ((uint64_t)(uint32_t)a << 32 | (uint32_t)b) * 0x9E3779B97F4A7C15u;
}

static uint64_t pair_hash(const void *pairs, size_t i)
{
    const struct gx_ctx_pair *p = &((const struct gx_ctx_pair *)pairs)[i];
    return pair_hash_of(p->a, p->b);
}

static int add_pair(struct gx_context *c, int a, int b)
{
    uint64_t h = pair_hash_of(a, b);
    size_t i;
    for (long at = gx_slots_first(&c->pair_index, h, &i); at >= 0;
         at = gx_slots_next(&c->pair_index, at, &i))
        if (c->pairs[i].a == a && c->pairs[i].b == b)
            return GX_OK;
    struct gx_ctx_pair *more = gx_grow(c->pairs, &c->pairs_cap, (size_t)c->npairs, 16,
                                       sizeof *more);
    if (!more)
        return GX_ERUNTIME;
    c->pairs = more;
    if (gx_slots_reserve(&c->pair_index, (size_t)c->npairs, pair_hash, c->pairs) != 0)
        return GX_ERUNTIME;
    c->pairs[c->npairs] = (struct gx_ctx_pair){a, b};
    gx_slots_put(&c->pair_index, h, (size_t)c->npairs++);
    return GX_OK;
}

int gx_context_add_pairs(struct gx_context *c, const struct gx_pairs *runs, int nruns)
{
    for (int r = 0; r < nruns; r++)
        for (int i = 0; i < runs[r].nrounds; i++)
            for (int j = 0; j < runs[r].rounds[i].npairs; j++)
                if (add_pair(c, runs[r].rounds[i].pairs[j].a, runs[r].rounds[i].pairs[j].b) != GX_OK)
                    return GX_ERUNTIME;
    return GX_OK;
}

const struct gx_ctx_rank *gx_ctx_rank(const struct gx_context *c, int rank)
{
    return c && rank >= 0 && rank < c->nranks && c->ranks[rank].present ? &c->ranks[rank] : NULL;
}

const char *gx_ctx_str(const struct gx_context *c, gx_sid s)
{
    return c ? gx_strpool_get(&c->pool, s, NULL) : NULL;
}

const char *gx_ctx_text(const struct gx_context *c, gx_sid s)
{
    const char *v = gx_ctx_str(c, s);
    return v ? v : "";
}

int gx_ctx_link_to(const struct gx_context *c, const struct gx_ctx_rank *r, int peer,
                   struct gx_ctx_link *out)
{
    const struct gx_ctx_link *l = r ? gx_strpool_get(&c->pool, r->links, NULL) : NULL;
    for (int i = 0; l && i < r->nlinks; i++)
        if (l[i].rank == peer) {
            *out = l[i];
            return 1;
        }
    return 0;
}

/* The NIC in use where the rank knows it, else its GPU's nearest. */
static const char *nic_of(const struct gx_context *c, const struct gx_ctx_rank *r)
{
    const char *used = gx_ctx_str(c, r->nic_name);
    return used ? used : gx_ctx_str(c, r->nearest_nic);
}

size_t gx_context_bytes(const struct gx_context *c)
{
    return c ? sizeof *c + (size_t)c->nranks * sizeof *c->ranks + gx_strpool_bytes(&c->pool) +
                   c->pairs_cap * sizeof *c->pairs + c->pair_index.n * sizeof *c->pair_index.slot
             : 0;
}

void gx_ctx_pair_view(const struct gx_context *c, int a, int b, struct gx_ctx_pair_view *out)
{
    const struct gx_ctx_rank *ra = gx_ctx_rank(c, a), *rb = gx_ctx_rank(c, b);
    struct gx_ctx_link l;
    memset(out, 0, sizeof *out);
    out->p2p = -1;
    out->same_node = ra && rb && ra->node == rb->node;
    if (out->same_node && gx_ctx_link_to(c, ra, b, &l)) {
        out->link = gx_ctx_str(c, l.link);
        out->link_source = gx_ctx_str(c, l.source);
        out->p2p = l.p2p < 0 ? -1 : l.p2p != 0;
    } else if (out->same_node) {
        out->link_source = "a rank of the pair has no GPU";
    } else {
        out->nics[0] = ra ? nic_of(c, ra) : NULL;
        out->nics[1] = rb ? nic_of(c, rb) : NULL;
    }
    if (c)
        out->has_route = gx_link_store_route(c->facts, a, b, 1, 1, 0, &out->route) == 0;
}

int gx_ctx_int_list(const char *list, int *out, int max)
{
    int n = 0;
    for (const char *p = list; p && *p && n < max;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        out[n++] = (int)v;
        p = *end == ',' ? end + 1 : end;
    }
    return n;
}
