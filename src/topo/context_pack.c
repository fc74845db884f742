/* A rank's context as one record and a pool, and back, every place checked against the pool. */
#include "config.h"
#include "context.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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
