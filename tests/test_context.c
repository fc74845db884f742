/* The context's record and pool: a rank's facts packed as it sends them and unpacked as rank 0
 * keeps them, strings and blocks held once however many ranks repeat them, and a pool that a
 * record points outside of refused. */
#include "config.h"
#include "context.h"
#include "gpu_counters.h"
#include "kept.h"
#include "report.h"
#include "pairs.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* A rank on `node` with a GPU, one link (to `peer`, "NV18", where peer >= 0), an environment
 * with one variable of its own and one every rank has, the software as every rank has it. */
static void pack(struct gx_ctx_packer *p, int rank, int node, int peer)
{
    memset(p, 0, sizeof *p);
    gx_ctx_rank_init(&p->rec);
    struct gx_ctx_rank *r = &p->rec;
    char own[32];
    snprintf(own, sizeof own, "%d", rank);
    r->present = r->has_topo = r->has_gpu = 1;
    r->rank = rank;
    r->node = node;
    r->visible = rank;
    r->hostname = gx_ctx_put_str(p, node ? "node-b" : "node-a");
    r->busid = gx_ctx_put_str(p, "0000:3b:00.0");
    r->numa = gx_ctx_put_str(p, "0,1");
    struct gx_ctx_pairs env = {.p = p}, software = {.p = p};
    gx_ctx_pair(&env, "OMPI_COMM_WORLD_RANK", own);
    gx_ctx_pair(&env, "UCX_TLS", "rc,cuda_copy");
    r->env = gx_ctx_pairs_put(&env);
    gx_ctx_pair(&software, "os", "Linux");
    gx_ctx_pair(&software, "mpi_library", "Open MPI v4.1.4");
    r->software = gx_ctx_pairs_put(&software);
    struct gx_ctx_link l = {peer, gx_ctx_put_str(p, "NV18"), gx_ctx_put_str(p, "nvml"), 1};
    r->links = (struct gx_ctx_block){gx_ctx_put(p, &l, peer >= 0 ? sizeof l : 0), peer >= 0};
    gx_sid w = gx_ctx_put_str(p, "a warning");
    r->warnings = (struct gx_ctx_block){gx_ctx_put(p, &w, sizeof w), 1};
    /* The GPU's state: a clock, and a power limit NVML did not give (each rank the same why). */
    struct gx_ctx_gpu_state st[2] = {{GX_CNT_SM_MHZ, 1755, GX_SID_NONE},
                                     {GX_CNT_POWER_LIMIT, 0, gx_ctx_put_str(p, "Not Supported")}};
    r->gpu_state = (struct gx_ctx_block){gx_ctx_put(p, st, sizeof st), 2};
}

static struct gx_context *three_ranks(void)
{
    struct gx_context *c = calloc(1, sizeof *c);
    c->nranks = 3;
    c->ranks = calloc(3, sizeof *c->ranks);
    const int node[3] = {0, 0, 1}, peer[3] = {1, -1, -1};
    for (int i = 0; i < 3; i++) {
        struct gx_ctx_packer p;
        pack(&p, i, node[i], peer[i]);
        ok(!p.oom && gx_ctx_unpack(&p.rec, p.pool.buf, p.pool.len, &c->pool, &c->ranks[i]) == GX_OK,
           "rank %d: packed and unpacked", i);
        gx_strpool_free(&p.pool);
    }
    return c;
}

static void check_rows(const struct gx_context *c)
{
    const struct gx_ctx_rank *r = gx_ctx_rank(c, 0);
    ok(r && !strcmp(gx_ctx_str(c, r->hostname), "node-a") &&
           !strcmp(gx_ctx_str(c, r->busid), "0000:3b:00.0") && r->node == 0 && r->has_gpu,
       "a row's numbers and strings as the rank packed them");
    ok(gx_ctx_str(c, r->uuid) == NULL && !strcmp(gx_ctx_text(c, r->uuid), ""),
       "a string the rank left out is absent, not \"\"");
    ok(c->ranks[0].hostname == c->ranks[1].hostname &&
           c->ranks[0].software.at == c->ranks[2].software.at,
       "what ranks repeat (a host name, the software) is one entry of the pool");
    const gx_sid *e0 = gx_strpool_get(&c->pool, c->ranks[0].env.at, NULL);
    const gx_sid *e1 = gx_strpool_get(&c->pool, c->ranks[1].env.at, NULL);
    ok(c->ranks[0].env.n == 2 && e0 && e1 && e0[1] == e1[1] && e0[0] != e1[0] &&
           !strcmp(gx_ctx_str(c, e0[1]), "UCX_TLS") &&
           !strcmp(gx_ctx_str(c, e0[1]) + strlen("UCX_TLS") + 1, "rc,cuda_copy"),
       "the environment: a variable every rank has is held once, one of the rank's own apart");
    size_t len = 0;
    const char *b0 = gx_strpool_get(&c->pool, c->ranks[0].gpu_state.at, &len);
    const char *b2 = gx_strpool_get(&c->pool, c->ranks[2].gpu_state.at, NULL);
    struct gx_ctx_gpu_state s0[2], s2[2];
    if (b0 && b2 && len == sizeof s0) {
        memcpy(s0, b0, sizeof s0);
        memcpy(s2, b2, sizeof s2);
    }
    ok(b0 && b2 && len == sizeof s0 && c->ranks[0].gpu_state.n == 2 && s0[0].cnt == GX_CNT_SM_MHZ &&
           s0[0].value == 1755 && s0[0].why == GX_SID_NONE &&
           !strcmp(gx_ctx_str(c, s0[1].why), "Not Supported") && s0[1].why == s2[1].why,
       "the GPU's state: values as packed, a reason the ranks share held once");
    struct gx_ctx_link l;
    ok(gx_ctx_link_to(c, r, 1, &l) && !strcmp(gx_ctx_str(c, l.link), "NV18") && l.p2p == 1 &&
           !gx_ctx_link_to(c, r, 2, &l),
       "a rank's link to a peer, none to a rank it has no link to");
    const gx_sid *w = gx_strpool_get(&c->pool, c->ranks[2].warnings.at, NULL);
    ok(w && c->ranks[2].warnings.n == 1 && !strcmp(gx_ctx_str(c, w[0]), "a warning"),
       "a rank's warnings");
    ok(!gx_ctx_rank(c, 3) && !gx_ctx_rank(c, -1) && !gx_ctx_rank(NULL, 0), "no row beyond the job");
}

static void check_pairs(struct gx_context *c)
{
    struct gx_pair pairs[3] = {{.a = 0, .b = 1}, {.a = 1, .b = 2}, {.a = 0, .b = 1}};
    struct gx_round round = {.npairs = 3, .pairs = pairs};
    struct gx_pairs run = {.nrounds = 1, .rounds = &round};
    ok(gx_context_add_pairs(c, &run, 1) == GX_OK && c->npairs == 2, "each measured pair once");
    struct gx_ctx_pair_view v;
    gx_ctx_pair_view(c, 0, 1, &v);
    ok(v.same_node && !strcmp(v.link, "NV18") && v.p2p == 1 && !v.has_route,
       "a pair on one node: its link; no route without the ranks' link facts");
    gx_ctx_pair_view(c, 1, 2, &v);
    ok(!v.same_node && !v.nics[0] && !v.nics[1], "a pair across nodes: no NIC known");
    gx_ctx_pair_view(c, 1, 0, &v);
    ok(v.same_node && !v.link && !strcmp(v.link_source, "a rank of the pair has no GPU") &&
           v.p2p == -1,
       "a pair on one node without a link");
    struct gx_pair_link *l = NULL;
    size_t n = 0;
    ok(gx_pair_links(c, &l, &n) == GX_OK && n == 2 && l[0].a == 0 && l[0].b == 1 &&
           !strcmp(l[0].link, "NV18") && l[1].a == 1 && l[1].b == 2 && !l[1].link[0],
       "the transfer plan's pair links: \"\" where the pair has none");
    free(l);
    ok(gx_pair_links(NULL, &l, &n) == GX_OK && !l && n == 0, "no context: no links");
}

/* A record whose places lie outside its pool is refused, not read. */
static void check_refused(void)
{
    struct gx_strpool sp = {0};
    struct gx_ctx_packer p;
    struct gx_ctx_rank row;
    pack(&p, 0, 0, 1);
    struct gx_ctx_rank bad = p.rec;
    bad.hostname = (gx_sid)p.pool.len + 8;
    ok(gx_ctx_unpack(&bad, p.pool.buf, p.pool.len, &sp, &row) == GX_EINPUT && !row.present,
       "a string beyond the pool");
    bad = p.rec;
    bad.links.n = 1000;
    ok(gx_ctx_unpack(&bad, p.pool.buf, p.pool.len, &sp, &row) == GX_EINPUT,
       "a list longer than the pool");
    bad = p.rec;
    bad.env.n += 3;
    ok(gx_ctx_unpack(&bad, p.pool.buf, p.pool.len, &sp, &row) == GX_EINPUT,
       "a block beyond the pool");
    ok(gx_ctx_unpack(&p.rec, p.pool.buf, p.pool.len - 1, &sp, &row) == GX_EINPUT,
       "a pool cut short");
    gx_strpool_free(&p.pool);
    gx_strpool_free(&sp);
}

static void check_pool(void)
{
    struct gx_strpool sp = {0};
    gx_sid first = gx_strpool_add_str(&sp, "x");
    int same = 1;
    char s[16];
    for (int i = 0; i < 1000; i++) { /* the table grows: entries keep their numbers */
        snprintf(s, sizeof s, "s%d", i);
        same &= gx_strpool_add_str(&sp, s) == gx_strpool_add_str(&sp, s);
    }
    size_t n;
    ok(same && gx_strpool_add_str(&sp, "x") == first &&
           !strcmp(gx_strpool_get(&sp, gx_strpool_add_str(&sp, "s999"), &n), "s999") && n == 4,
       "the pool: one entry for a content however often it is added");
    ok(gx_strpool_add(&sp, "a\0b", 3) != gx_strpool_add(&sp, "a\0c", 3) &&
           gx_strpool_add(&sp, "", 0) != GX_SID_NONE &&
           gx_strpool_get(&sp, GX_SID_NONE, NULL) == NULL,
       "blocks with bytes past a '\\0' told apart; an empty one is an entry, none is none");
    gx_strpool_free(&sp);
}

int main(void)
{
    struct gx_context *c = three_ranks();
    check_rows(c);
    check_pairs(c);
    gx_context_free(c);
    check_refused();
    check_pool();
    return tap_done();
}
