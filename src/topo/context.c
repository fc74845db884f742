/* A rank's context from the table of facts (context.h): gathered from the rank's sources into one
 * record and a pool, and back into a row of rank 0's pool, every place checked against the pool. */
#include "config.h"
#include "context.h"
#include "gpu.h"
#include "gpu_counters.h"
#include "mpilib.h"
#include "topo.h"
#include "versions.h"

#include <hwloc.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const struct gx_ctx_fact gx_ctx_facts[GX_CTX_NFACTS] = {
#define GX_CTX_ROW(name, type, when, json, from, shown) \
    {#name, GX_CTX_T_##type, GX_CTX_W_##when, json, offsetof(struct gx_ctx_rank, name)},
    GX_CONTEXT_FACTS(GX_CTX_ROW)
#undef GX_CTX_ROW
};

int gx_ctx_has(const struct gx_ctx_rank *r, enum gx_ctx_when when)
{
    int topo = r && r->has_topo, gpu = topo && r->has_gpu;
    const int has[] = {[GX_CTX_W_ALL] = r != NULL, [GX_CTX_W_TOPO] = topo, [GX_CTX_W_GPU] = gpu,
                       [GX_CTX_W_NO_GPU] = topo && !gpu,
                       [GX_CTX_W_NIC] = topo && r->nic_name != GX_SID_NONE,
                       [GX_CTX_W_NEAR_NIC] = gpu && r->nearest_nic != GX_SID_NONE,
                       [GX_CTX_W_BTL] = r && r->has_btl, [GX_CTX_W_UCX] = r && r->has_ucx};
    return has[when];
}

void gx_ctx_rank_init(struct gx_ctx_rank *r)
{
    memset(r, 0, sizeof *r);
    static const gx_sid none = GX_SID_NONE;
    for (int i = 0; i < GX_CTX_NFACTS; i++) /* a string's or a block's place: none yet */
        if (gx_ctx_facts[i].type >= GX_CTX_T_STR)
            memcpy((char *)r + gx_ctx_facts[i].offset, &none, sizeof none);
}

gx_sid gx_ctx_put(struct gx_ctx_packer *p, const void *bytes, size_t n)
{
    gx_sid s = p->oom || !bytes ? GX_SID_NONE : gx_strpool_add(&p->pool, bytes, n);
    p->oom |= bytes && s == GX_SID_NONE;
    return s;
}

gx_sid gx_ctx_put_str(struct gx_ctx_packer *p, const char *s)
{
    return s ? gx_ctx_put(p, s, strlen(s)) : GX_SID_NONE;
}

void gx_ctx_pair(void *pairs, const char *key, const char *value)
{
    struct gx_ctx_pairs *l = pairs;
    size_t k = strlen(key) + 1, v = strlen(value);
    char *kv = malloc(k + v);
    gx_sid *more = gx_grow(l->s, &l->cap, l->n, 16, sizeof *more);
    l->s = more ? more : l->s;
    if (kv && more) {
        memcpy(kv, key, k);
        memcpy(kv + k, value, v);
        l->s[l->n++] = gx_ctx_put(l->p, kv, k + v);
    }
    l->p->oom |= !kv || !more;
    free(kv);
}

struct gx_ctx_block gx_ctx_pairs_put(struct gx_ctx_pairs *l)
{
    struct gx_ctx_block b = {l->n ? gx_ctx_put(l->p, l->s, l->n * sizeof *l->s) : GX_SID_NONE,
                             (uint32_t)l->n};
    free(l->s);
    l->s = NULL;
    return b;
}

struct unpacking {
    const char *pool;
    size_t len;
    struct gx_strpool *sp;
    int rc;
};

/* The entry at s of a rank's pool, as gx_strpool lays it out: its bytes, where the whole of it
 * (its length before it, its '\0' and padding after) lies in the pool; else NULL, GX_EINPUT. */
static const char *entry(struct unpacking *u, gx_sid s, size_t *n)
{
    uint32_t len = 0;
    int in = s >= sizeof len && s <= u->len;
    if (in)
        memcpy(&len, u->pool + s - sizeof len, sizeof len);
    if (!in || ((size_t)len + 4) / 4 * 4 > u->len - s) {
        u->rc = GX_EINPUT;
        return NULL;
    }
    *n = len;
    return u->pool + s;
}

static gx_sid add(struct unpacking *u, const void *bytes, size_t n)
{
    gx_sid s = gx_strpool_add(u->sp, bytes, n);
    if (s == GX_SID_NONE && u->rc == GX_OK)
        u->rc = GX_ERUNTIME;
    return s;
}

/* A string or block into rank 0's pool, its place there in *s. */
static void take(struct unpacking *u, gx_sid *s)
{
    size_t n = 0;
    const char *e = *s == GX_SID_NONE ? NULL : entry(u, *s, &n);
    if (*s != GX_SID_NONE)
        *s = e ? add(u, e, n) : GX_SID_NONE;
}

/* A list of b->n records whose members at the offsets strs[] name entries: all into rank 0's. */
static void list(struct unpacking *u, struct gx_ctx_block *b, size_t size, const size_t *strs,
                 size_t nstrs)
{
    if (b->at == GX_SID_NONE && b->n == 0) /* not gathered: a rank without a GPU's state */
        return;
    size_t n = 0;
    const char *e = entry(u, b->at, &n);
    int whole = e && n == (size_t)b->n * size;
    char *l = whole ? malloc(n ? n : 1) : NULL;
    if (!l) {
        u->rc = whole ? GX_ERUNTIME : GX_EINPUT;
        *b = (struct gx_ctx_block){GX_SID_NONE, 0};
        return;
    }
    memcpy(l, e, n);
    for (size_t i = 0; i < b->n; i++)
        for (size_t j = 0; j < nstrs; j++) {
            gx_sid s;
            memcpy(&s, l + i * size + strs[j], sizeof s);
            take(u, &s);
            memcpy(l + i * size + strs[j], &s, sizeof s);
        }
    b->at = add(u, l, n);
    free(l);
}

/* The blocks that are lists: their records' size and the offsets of their entries. */
static const struct {
    size_t size, nstrs, strs[2];
} lists[] = {
    [GX_CTX_T_PAIRS] = {sizeof(gx_sid), 1, {0}},
    [GX_CTX_T_INTS] = {sizeof(int32_t), 0, {0}},
    [GX_CTX_T_LINKS] = {sizeof(struct gx_ctx_link), 2,
                        {offsetof(struct gx_ctx_link, link), offsetof(struct gx_ctx_link, source)}},
    [GX_CTX_T_STRS] = {sizeof(gx_sid), 1, {0}},
    [GX_CTX_T_GPU_STATE] = {sizeof(struct gx_ctx_gpu_state), 1,
                            {offsetof(struct gx_ctx_gpu_state, why)}},
};

int gx_ctx_unpack(const struct gx_ctx_rank *rec, const char *pool, size_t len,
                  struct gx_strpool *sp, struct gx_ctx_rank *row)
{
    struct unpacking u = {pool, len, sp, GX_OK};
    *row = *rec;
    for (int i = 0; i < GX_CTX_NFACTS; i++) {
        enum gx_ctx_type type = gx_ctx_facts[i].type;
        void *m = (char *)row + gx_ctx_facts[i].offset;
        struct gx_ctx_block *b = m;
        if (type == GX_CTX_T_STR || type == GX_CTX_T_INT_LIST)
            take(&u, m);
        else if (type == GX_CTX_T_LINK_FACTS) /* the topology's, not the row's: n says it came */
            b->at = GX_SID_NONE;
        else if ((size_t)type < GX_ARRAY_LEN(lists) && lists[type].size)
            list(&u, b, lists[type].size, lists[type].strs, lists[type].nstrs);
    }
    row->pool_len = 0;
    if (u.rc != GX_OK)
        row->present = 0;
    return u.rc;
}

static gx_sid str(struct gx_ctx_packer *p, const char *s)
{
    return gx_ctx_put_str(p, s);
}

static gx_sid opt(struct gx_ctx_packer *p, const char *s)
{
    return s && s[0] ? gx_ctx_put_str(p, s) : GX_SID_NONE;
}

static struct gx_ctx_block names_block(struct gx_ctx_packer *p, const struct gx_mpi_names *names)
{
    gx_sid s[GX_MPI_NAMES_TEXT / 2]; /* a name and its '\0' at least */
    uint32_t n = 0;
    for (const char *name = NULL; n < GX_ARRAY_LEN(s) && (name = gx_mpi_names_next(names, name));)
        s[n++] = str(p, name);
    return (struct gx_ctx_block){gx_ctx_put(p, s, n * sizeof *s), n};
}

static struct gx_ctx_block ucx_settings_block(struct gx_ctx_packer *p,
                                              const struct gx_ucx_facts *u)
{
    struct gx_ctx_pairs l = {.p = p};
    for (int i = 0; i < u->nsettings && i < GX_UCX_SETTINGS; i++)
        gx_ctx_pair(&l, u->settings[i].name, u->settings[i].value);
    return gx_ctx_pairs_put(&l);
}

extern char **environ;

/* HWLOC_: gpuxfer sets HWLOC_COMPONENTS itself where it is not given (main.c). */
static const char *const env_prefixes[] = {"OMPI_", "PMIX_", "UCX_", "NCCL_", "SLURM_", "CUDA_",
                                           "MPICH_", "MV2_", "FI_", "HWLOC_"};

static struct gx_ctx_block env_block(struct gx_ctx_packer *p)
{
    struct gx_ctx_pairs l = {.p = p};
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
            gx_ctx_pair(&l, name, eq + 1);
            break;
        }
    }
    return gx_ctx_pairs_put(&l);
}

static struct gx_ctx_block software_block(struct gx_ctx_packer *p)
{
    struct gx_ctx_pairs l = {.p = p};
    gx_software_each(gx_ctx_pair, &l);
    return gx_ctx_pairs_put(&l);
}

static struct gx_ctx_block ints_block(struct gx_ctx_packer *p, const int *v, int n)
{
    int32_t ints[GX_MAX_GPUS];
    for (int i = 0; i < n; i++)
        ints[i] = v[i];
    return (struct gx_ctx_block){gx_ctx_put(p, ints, (size_t)n * sizeof *ints), (uint32_t)n};
}

static struct gx_ctx_block links_block(struct gx_ctx_packer *p, const struct gx_topo_rank *t)
{
    struct gx_ctx_link *l = calloc((size_t)(t->nlinks > 0 ? t->nlinks : 1), sizeof *l);
    for (int i = 0; l && i < t->nlinks; i++)
        l[i] = (struct gx_ctx_link){t->links[i].rank, str(p, t->links[i].link),
                                    str(p, t->links[i].source), t->links[i].p2p};
    struct gx_ctx_block b = {l ? gx_ctx_put(p, l, (size_t)t->nlinks * sizeof *l) : GX_SID_NONE,
                             (uint32_t)t->nlinks};
    p->oom |= !l;
    free(l);
    return b;
}

static struct gx_ctx_block facts_block(struct gx_ctx_packer *p, const struct gx_link_facts *f)
{
    if (!f)
        return (struct gx_ctx_block){GX_SID_NONE, 0};
    return (struct gx_ctx_block){gx_ctx_put(p, f, sizeof *f), (uint32_t)sizeof *f};
}

static struct gx_ctx_block warnings_block(struct gx_ctx_packer *p, const struct gx_topo_rank *t)
{
    gx_sid w[GX_ARRAY_LEN(t->warnings)];
    for (int i = 0; i < t->nwarnings; i++)
        w[i] = str(p, t->warnings[i]);
    return (struct gx_ctx_block){gx_ctx_put(p, w, (size_t)t->nwarnings * sizeof *w),
                                 (uint32_t)t->nwarnings};
}

/* The GPU's state at the counters' first reading (g; NULL: not read), as the header prints it. */
static struct gx_ctx_block gpu_state_block(struct gx_ctx_packer *p,
                                           const struct gx_gpu_counters *g)
{
    static const enum gx_cnt shown[] = {GX_CNT_SM_MHZ,      GX_CNT_MEM_MHZ,
                                        GX_CNT_POWER_LIMIT, GX_CNT_PERSISTENCE,
                                        GX_CNT_MIG,         GX_CNT_MPS,
                                        GX_CNT_ECC_MODE,    GX_CNT_ECC_PENDING,
                                        GX_CNT_ECC_CORRECTED, GX_CNT_ECC_UNCORRECTED};
    struct gx_ctx_gpu_state s[GX_ARRAY_LEN(shown)];
    uint32_t n = 0;
    if (!g || !g->read) {
        s[n++] = (struct gx_ctx_gpu_state){
            -1, 0, str(p, g ? g->none : "out of host memory for the reading")};
    } else {
        for (size_t i = 0; i < GX_ARRAY_LEN(shown); i++) {
            enum gx_cnt c = shown[i];
            int why = g->why[c] >= 0 && g->why[c] < GX_CNT_REASONS ? g->why[c] : -1;
            uint64_t v = g->before[c] > UINT32_MAX ? UINT32_MAX : g->before[c];
            s[n++] = (struct gx_ctx_gpu_state){(int32_t)c, (uint32_t)v,
                                               why >= 0 ? str(p, g->reasons[why]) : GX_SID_NONE};
        }
    }
    return (struct gx_ctx_block){gx_ctx_put(p, s, n * sizeof *s), n};
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

int gx_ctx_pack_rank(const struct gx_job *job, struct gx_ctx_packer *p, struct gx_err *err)
{
    char host[256] = "", lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        strcpy(host, "unknown");
    GX_MPI_TRY(err, gx_mpi_library(lib, sizeof lib));
    char *cpus = NULL;
    GX_TRY(bound_cpuset(&cpus, err));
    const struct gx_topo_rank *t = job->topo; /* NULL: the topology is not known */
    struct gx_mpi_transport *tr = calloc(1, sizeof *tr);
    if (!tr) {
        free(cpus);
        return gx_fail(err, GX_ERUNTIME, "out of host memory");
    }
    gx_mpilib_transport(lib, tr);
    struct gx_ctx_rank *r = &p->rec;
    r->present = 1;
    r->has_topo = t != NULL;
    /* A fact's when rests on facts above it, gathered first. */
#define GX_CTX_GATHER(name, type, when, json, from, shown) \
    if (gx_ctx_has(r, GX_CTX_W_##when))                    \
        r->name = (from);
    GX_CONTEXT_FACTS(GX_CTX_GATHER)
#undef GX_CTX_GATHER
    free(tr);
    free(cpus);
    return p->oom ? gx_fail(err, GX_ERUNTIME, "out of host memory") : GX_OK;
}
