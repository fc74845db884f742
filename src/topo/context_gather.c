/* Every rank's context to rank 0, window by window, and rank 0's readers of it. */
#include "config.h"
#include "context.h"
#include "pairs.h"
#include "tags.h"
#include "topo.h"

#include <stdlib.h>
#include <string.h>

/* The most bytes of pools in flight to rank 0 at once, however many ranks there are. */
#define CTX_WINDOW_BYTES ((size_t)1 << 20)

/* Rank 0: rank i's link facts into the store (a rank without them leaves the store NULL). */
static int store_facts(struct gx_link_store **store, int i, const struct gx_ctx_rank *row,
                       const char *pool)
{
    struct gx_link_facts f;
    int whole = *store && row->present && row->facts.at != GX_SID_NONE &&
                (size_t)row->facts.at + row->facts.n <= row->pool_len &&
                gx_link_facts_unpack(pool + row->facts.at, row->facts.n, &f) == 0 && f.rank == i;
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
                    memcpy(pools + used, own->pool.buf, r->pool_len);
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
    struct gx_ctx_packer p = {.oom = 0};
    gx_ctx_rank_init(&p.rec);
    *out = NULL;
    int rc = gx_ctx_pack_rank(job, &p, err);
    /* Even a failed rank takes part, so that nobody waits in the gather. */
    if (rc != GX_OK) {
        gx_ctx_rank_init(&p.rec);
        gx_strpool_free(&p.pool);
    }
    p.rec.pool_len = (uint32_t)p.pool.len; /* what rank 0 makes room for is what comes */
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
            mrc = MPI_Send(p.pool.buf, (int)p.pool.len, MPI_BYTE, 0, GX_TAG_CTX_POOL, job->comm);
        if (mrc != MPI_SUCCESS)
            rc = gx_fail_mpi(err, mrc, "sending this rank's context", __FILE__, __LINE__);
    }
    gx_strpool_free(&p.pool);
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
            for (int j = 0; j < runs[r].rounds[i].npairs; j++) {
                const struct gx_pair *p = &runs[r].rounds[i].pairs[j];
                if (add_pair(c, p->a, p->b) != GX_OK)
                    return GX_ERUNTIME;
            }
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

const char *gx_host_of(const struct gx_context *context, int rank)
{
    const struct gx_ctx_rank *rc = gx_ctx_rank(context, rank);
    const char *h = rc ? gx_ctx_text(context, rc->hostname) : "";
    return h[0] ? h : "?";
}

int gx_ctx_link_to(const struct gx_context *c, const struct gx_ctx_rank *r, int peer,
                   struct gx_ctx_link *out)
{
    const struct gx_ctx_link *l = r ? gx_strpool_get(&c->pool, r->links.at, NULL) : NULL;
    for (int i = 0; l && i < (int)r->links.n; i++)
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
