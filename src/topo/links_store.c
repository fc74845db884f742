/* One list of the numbers, one of the strings: a member added to the facts is added once. */
#include "config.h"
#include "links_store.h"

#include "gx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GX_LINK_NUMS(X)                                                                        \
    X(rank) X(node) X(has_gpu) X(pcie.cur_gen) X(pcie.cur_width) X(pcie.max_gen)               \
    X(pcie.max_width) X(pcie.cur_src) X(pcie.max_src) X(pcie.hwloc_gbs) X(pcie.under_load)     \
    X(nvlink.nvml_version) X(nvlink.links) X(nvlink.active) X(c2c.links) X(c2c.active)         \
    X(c2c.gbs) X(nic.gbits) X(nic.src) X(npeers)
#define GX_LINK_STRS(X) X(busid) X(pcie.why) X(nvlink.why) X(c2c.why) X(nic.name) X(nic.where)

#define FACTS_SIZE(m) sizeof(((struct gx_link_facts *)0)->m)
#define REC_SIZE(m) sizeof(((struct gx_link_rec *)0)->m)
#define SAME_SIZE(m) _Static_assert(FACTS_SIZE(m) == REC_SIZE(m), "a number's size: " #m);
#define SID_SIZE(m) _Static_assert(REC_SIZE(m) == sizeof(gx_sid), "a string's entry: " #m);
GX_LINK_NUMS(SAME_SIZE)
GX_LINK_STRS(SID_SIZE)

struct field {
    size_t in_facts, in_rec, size; /* a string's size: its room in the facts */
};
#define NUM(m) {offsetof(struct gx_link_facts, m), offsetof(struct gx_link_rec, m), REC_SIZE(m)},
#define STR(m) {offsetof(struct gx_link_facts, m), offsetof(struct gx_link_rec, m), FACTS_SIZE(m)},
static const struct field nums[] = {GX_LINK_NUMS(NUM)};
static const struct field strs[] = {GX_LINK_STRS(STR)};
#define NSTRS (sizeof strs / sizeof strs[0])

static void nums_to_rec(const struct gx_link_facts *f, struct gx_link_rec *r)
{
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        memcpy((char *)r + nums[i].in_rec, (const char *)f + nums[i].in_facts, nums[i].size);
}

static void nums_to_facts(const struct gx_link_rec *r, struct gx_link_facts *f)
{
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        memcpy((char *)f + nums[i].in_facts, (const char *)r + nums[i].in_rec, nums[i].size);
}

static const char *str_in(const struct gx_link_facts *f, size_t i)
{
    return (const char *)f + strs[i].in_facts;
}

static gx_sid *sid_in(struct gx_link_rec *r, size_t i)
{
    return (gx_sid *)((char *)r + strs[i].in_rec);
}

static gx_sid sid_of(const struct gx_link_rec *r, size_t i)
{
    return *(const gx_sid *)((const char *)r + strs[i].in_rec);
}

static int peers_in(const struct gx_link_facts *f)
{
    return f->npeers < 0 ? 0 : f->npeers > GX_LINK_PEERS ? GX_LINK_PEERS : f->npeers;
}

static uint16_t nvlinks_in(int nvlinks)
{
    return (uint16_t)(nvlinks < 0 ? 0 : nvlinks > UINT16_MAX ? UINT16_MAX : nvlinks);
}

/* A rank's facts travel as the struct itself (a few KiB, in the context's windows); what came
 * is taken only where every string ends inside its field and the peers fit. */
int gx_link_facts_unpack(const void *bytes, size_t len, struct gx_link_facts *f)
{
    if (len != sizeof *f)
        return -1;
    memcpy(f, bytes, sizeof *f);
    for (size_t i = 0; i < NSTRS; i++)
        if (!memchr(str_in(f, i), '\0', strs[i].size))
            return -1;
    for (int k = 0; k < GX_LINK_PEERS; k++)
        if (!memchr(f->peers[k].pci, '\0', sizeof f->peers[k].pci))
            return -1;
    return f->npeers >= 0 && f->npeers <= GX_LINK_PEERS ? 0 : -1;
}

static int intern(struct gx_strpool *pool, const char *s, size_t size, gx_sid *out)
{
    size_t n = strnlen(s, size - 1);
    *out = n ? gx_strpool_add(pool, s, n) : GX_SID_NONE;
    return n && *out == GX_SID_NONE ? -1 : 0;
}

int gx_link_store_add(struct gx_link_store *s, const struct gx_link_facts *f)
{
    struct gx_link_rec *recs = gx_grow(s->recs, &s->cap, (size_t)s->n, 64, sizeof *recs);
    if (!recs)
        return -1;
    s->recs = recs;
    struct gx_link_rec r;
    memset(&r, 0, sizeof r);
    nums_to_rec(f, &r);
    r.npeers = peers_in(f);
    r.peer0 = (unsigned)s->npeers;
    for (size_t i = 0; i < NSTRS; i++)
        if (intern(&s->pool, str_in(f, i), strs[i].size, sid_in(&r, i)) != 0)
            return -1;
    for (int k = 0; k < r.npeers; k++) {
        const struct gx_peer_link *pl = &f->peers[k];
        struct gx_peer_rec *peers = gx_grow(s->peers, &s->peers_cap, s->npeers, 64,
                                            sizeof *peers);
        if (!peers) {
            s->npeers = r.peer0; /* what it added is not kept: the pool's entries do no harm */
            return -1;
        }
        s->peers = peers;
        gx_sid pci;
        if (intern(&s->pool, pl->pci, sizeof pl->pci, &pci) != 0) {
            s->npeers = r.peer0;
            return -1;
        }
        s->peers[s->npeers++] = (struct gx_peer_rec){
            .rank = pl->rank, .nvlinks = nvlinks_in(pl->nvlinks), .pci = pci};
    }
    s->recs[s->n++] = r;
    return 0;
}

void gx_link_store_trim(struct gx_link_store *s)
{
    s->recs = gx_shrink(s->recs, &s->cap, (size_t)s->n, sizeof *s->recs);
    s->peers = gx_shrink(s->peers, &s->peers_cap, s->npeers, sizeof *s->peers);
    gx_strpool_trim(&s->pool);
}

void gx_link_store_free(struct gx_link_store *s)
{
    if (!s)
        return;
    free(s->recs);
    free(s->peers);
    gx_strpool_free(&s->pool);
    memset(s, 0, sizeof *s);
}

const struct gx_link_rec *gx_link_rec_of(const struct gx_link_store *s, int i)
{
    return s && i >= 0 && i < s->n ? &s->recs[i] : NULL;
}

const char *gx_link_str(const struct gx_link_store *s, gx_sid id)
{
    const char *t = gx_strpool_get(&s->pool, id, NULL);
    return t ? t : "";
}

static void put(const struct gx_link_store *s, gx_sid id, char *dst, size_t size)
{
    size_t n = 0;
    const char *t = gx_strpool_get(&s->pool, id, &n);
    if (t)
        memcpy(dst, t, n < size ? n : size - 1);
}

int gx_link_facts_of(const struct gx_link_store *s, int i, struct gx_link_facts *out)
{
    const struct gx_link_rec *r = gx_link_rec_of(s, i);
    if (!r)
        return -1;
    memset(out, 0, sizeof *out);
    nums_to_facts(r, out);
    for (size_t k = 0; k < NSTRS; k++)
        put(s, sid_of(r, k), (char *)out + strs[k].in_facts, strs[k].size);
    for (int k = 0; k < r->npeers; k++) {
        const struct gx_peer_rec *pr = &s->peers[r->peer0 + (unsigned)k];
        out->peers[k].rank = pr->rank;
        out->peers[k].nvlinks = pr->nvlinks;
        put(s, pr->pci, out->peers[k].pci, sizeof out->peers[k].pci);
    }
    return 0;
}

int gx_link_store_route(const struct gx_link_store *s, int a, int b, int a_dev, int b_dev,
                        int via_host, struct gx_route *out)
{
    struct gx_link_facts fa, fb;
    if (gx_link_facts_of(s, a, &fa) != 0 || gx_link_facts_of(s, b, &fb) != 0)
        return -1;
    gx_route_pair(&fa, &fb, a_dev, b_dev, via_host, out);
    return 0;
}

/* Degraded hardware from the link facts; each GPU and NIC judged once, however many use it. */
struct gx_health *gx_health_add(struct gx_health *h, int *n, int max, const char *check,
                                int rank)
{
    if (*n >= max)
        return NULL;
    struct gx_health *x = &h[(*n)++];
    memset(x, 0, sizeof *x);
    x->check = check;
    x->rank = rank;
    return x;
}

static int add(struct gx_health *h, int n, int max, const char *check, int rank,
               const char *evidence, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static int add(struct gx_health *h, int n, int max, const char *check, int rank,
               const char *evidence, const char *fmt, ...)
{
    struct gx_health *x = gx_health_add(h, &n, max, check, rank);
    if (!x)
        return n;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->line, sizeof x->line, fmt, ap);
    va_end(ap);
    snprintf(x->evidence, sizeof x->evidence, "%s", evidence);
    return n;
}

/* Whether an earlier rank of the node stands for this GPU (or NIC); equal entries, equal text. */
static int seen_before(const struct gx_link_rec *f, int i, int nic)
{
    for (int j = 0; j < i; j++) {
        if (f[j].node != f[i].node)
            continue;
        if (nic ? f[j].nic.name == f[i].nic.name : f[j].has_gpu && f[j].busid == f[i].busid)
            return 1;
    }
    return 0;
}

static int pcie_check(const struct gx_link_store *s, const struct gx_link_rec *f,
                      struct gx_health *h, int n, int max)
{
    const struct gx_pcie_rec *p = &f->pcie;
    const char *busid = gx_link_str(s, f->busid);
    if (!p->cur_width || !p->max_width)
        return n;
    int narrow = p->cur_width < p->max_width;
    /* A lower generation counts only when read under load: GPUs lower it at idle. */
    int slow = p->under_load && p->cur_gen < p->max_gen;
    if (!narrow && !slow)
        return n;
    char ev[GX_HEALTH_LINE];
    snprintf(ev, sizeof ev, "current gen%d x%d (%s%s), maximum gen%d x%d (%s)", p->cur_gen,
             p->cur_width, gx_src_names[p->cur_src], p->under_load ? ", under load" : ", idle",
             p->max_gen, p->max_width, gx_src_names[p->max_src]);
    if (slow)
        return add(h, n, max, "pcie-below-max", f->rank, ev,
                   "GPU %s (rank %d): PCIe link at gen%d x%d under load, below its maximum "
                   "gen%d x%d: %.1f of %.1f GB/s",
                   busid, f->rank, p->cur_gen, p->cur_width, p->max_gen, p->max_width,
                   gx_pcie_gbs(p->cur_gen, p->cur_width), gx_pcie_gbs(p->max_gen, p->max_width));
    char gen_note[64] = "";
    if (!p->under_load && p->cur_gen < p->max_gen)
        snprintf(gen_note, sizeof gen_note, " (gen%d read at idle, not judged)", p->cur_gen);
    return add(h, n, max, "pcie-below-max", f->rank, ev,
               "GPU %s (rank %d): PCIe link at x%d of its maximum x%d%s: %.1f of %.1f GB/s",
               busid, f->rank, p->cur_width, p->max_width, gen_note,
               gx_pcie_gbs(p->max_gen, p->cur_width), gx_pcie_gbs(p->max_gen, p->max_width));
}

static int nvlink_check(const struct gx_link_store *s, int i, struct gx_health *h, int n,
                        int max)
{
    const struct gx_link_rec *f = s->recs;
    const struct gx_nvlink_rec *v = &f[i].nvlink;
    const char *busid = gx_link_str(s, f[i].busid);
    if (v->links <= 0)
        return n;
    int best = v->active; /* the most active links on a GPU of the same NVLink generation */
    for (int j = 0; j < s->n; j++)
        if (f[j].node == f[i].node && f[j].has_gpu &&
            f[j].nvlink.nvml_version == v->nvml_version && f[j].nvlink.active > best)
            best = f[j].nvlink.active;
    if (v->active >= v->links && v->active >= best)
        return n;
    char ev[GX_HEALTH_LINE];
    snprintf(ev, sizeof ev, "nvml: %d of %d links active; the most active on a sibling GPU of "
             "the node: %d", v->active, v->links, best);
    int down = v->links - v->active;
    if (down > 0)
        return add(h, n, max, "nvlink-down", f[i].rank, ev,
                   "GPU %s (rank %d): %d NVLink%s down, %d of %d active", busid,
                   f[i].rank, down, down == 1 ? "" : "s", v->active, v->links);
    return add(h, n, max, "nvlink-below-siblings", f[i].rank, ev,
               "GPU %s (rank %d): %d NVLinks active, its siblings have %d", busid,
               f[i].rank, v->active, best);
}

static int c2c_check(const struct gx_link_store *s, const struct gx_link_rec *f,
                     struct gx_health *h, int n, int max)
{
    const struct gx_c2c_rec *c = &f->c2c;
    if (c->links <= 0 || c->active >= c->links)
        return n;
    char ev[GX_HEALTH_LINE];
    snprintf(ev, sizeof ev, "nvml: %d of %d C2C links up", c->active, c->links);
    return add(h, n, max, "c2c-down", f->rank, ev, "GPU %s (rank %d): %d C2C link%s down, %d of "
               "%d active", gx_link_str(s, f->busid), f->rank, c->links - c->active,
               c->links - c->active == 1 ? "" : "s", c->active, c->links);
}

static int infiniband(const struct gx_link_store *s, const struct gx_nic_rec *c)
{
    return strstr(gx_link_str(s, c->where), "/infiniband/") != NULL;
}

static int nic_check(const struct gx_link_store *s, int i, struct gx_health *h, int n, int max)
{
    const struct gx_link_rec *f = s->recs;
    const struct gx_nic_rec *c = &f[i].nic;
    if (c->gbits <= 0)
        return n;
    int ib = infiniband(s, c);
    double best = c->gbits;
    gx_sid best_name = c->name;
    for (int j = 0; j < s->n; j++)
        if (f[j].nic.gbits > best && infiniband(s, &f[j].nic) == ib)
            best = f[j].nic.gbits, best_name = f[j].nic.name;
    if (c->gbits >= best)
        return n;
    char ev[GX_HEALTH_LINE];
    snprintf(ev, sizeof ev, "%s: %.0f Gb/s; %s elsewhere in the job: %.0f Gb/s",
             gx_link_str(s, c->where), c->gbits, gx_link_str(s, best_name), best);
    return add(h, n, max, "nic-below-siblings", f[i].rank, ev,
               "NIC %s (rank %d, node %d): %.0f Gb/s, below its siblings' %.0f Gb/s",
               gx_link_str(s, c->name), f[i].rank, f[i].node, c->gbits, best);
}

int gx_health_failing(const struct gx_health *h, int n)
{
    int failing = 0;
    for (int i = 0; i < n; i++)
        failing += !h[i].warning;
    return failing;
}

int gx_health_from_store(const struct gx_link_store *s, struct gx_health *h, int max)
{
    int n = 0;
    const struct gx_link_rec *f = s ? s->recs : NULL;
    for (int i = 0; f && i < s->n; i++) {
        if (f[i].has_gpu && !seen_before(f, i, 0)) {
            n = pcie_check(s, &f[i], h, n, max);
            n = nvlink_check(s, i, h, n, max);
            n = c2c_check(s, &f[i], h, n, max);
        }
        if (f[i].nic.name != GX_SID_NONE && !seen_before(f, i, 1))
            n = nic_check(s, i, h, n, max);
    }
    return n;
}
