#include "config.h"
#include "slots.h"

#include "gx.h"

#include <stdlib.h>
#include <string.h>

static size_t home(const struct gx_slots *s, uint64_t hash)
{
    return (size_t)(hash ^ hash >> 29) & (s->n - 1);
}

void gx_slots_put(struct gx_slots *s, uint64_t hash, size_t i)
{
    size_t at = home(s, hash);
    while (s->slot[at])
        at = (at + 1) & (s->n - 1);
    s->slot[at] = (int32_t)i + 1;
}

int gx_slots_reserve(struct gx_slots *s, size_t count, gx_slots_hash hash, const void *items)
{
    if (count + 1 <= s->n / 2)
        return 0;
    size_t n = s->n ? s->n * 2 : 64;
    int32_t *slot = calloc(n, sizeof *slot);
    if (!slot)
        return -1;
    free(s->slot);
    s->slot = slot;
    s->n = n;
    for (size_t i = 0; i < count; i++)
        gx_slots_put(s, hash(items, i), i);
    return 0;
}

static long at_or_none(const struct gx_slots *s, size_t at, size_t *i)
{
    if (!s->slot[at])
        return -1;
    *i = (size_t)s->slot[at] - 1;
    return (long)at;
}

long gx_slots_first(const struct gx_slots *s, uint64_t hash, size_t *i)
{
    return s->n ? at_or_none(s, home(s, hash), i) : -1;
}

long gx_slots_next(const struct gx_slots *s, long at, size_t *i)
{
    return at_or_none(s, ((size_t)at + 1) & (s->n - 1), i);
}

void gx_slots_free(struct gx_slots *s)
{
    free(s->slot);
    s->slot = NULL;
    s->n = 0;
}

static uint64_t hash_of(const unsigned char *b, size_t n)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211u;
    return h;
}

static uint32_t len_at(const struct gx_strpool *p, gx_sid s)
{
    uint32_t n;
    memcpy(&n, p->buf + s - sizeof n, sizeof n);
    return n;
}

static uint64_t entry_hash(const void *pool, size_t i)
{
    const struct gx_strpool *p = pool;
    return hash_of((const unsigned char *)p->buf + p->at[i], len_at(p, p->at[i]));
}

gx_sid gx_strpool_add(struct gx_strpool *p, const void *bytes, size_t n)
{
    if (!bytes || n > UINT32_MAX / 2)
        return GX_SID_NONE;
    uint64_t h = hash_of(bytes, n);
    size_t i;
    for (long at = gx_slots_first(&p->index, h, &i); at >= 0; at = gx_slots_next(&p->index, at, &i))
        if (len_at(p, p->at[i]) == n && !memcmp(p->buf + p->at[i], bytes, n))
            return p->at[i];
    size_t need = (sizeof(uint32_t) + n + 1 + 3) & ~(size_t)3;
    if (p->len + need > UINT32_MAX / 2 || gx_slots_reserve(&p->index, p->n, entry_hash, p) != 0)
        return GX_SID_NONE;
    gx_sid *at = gx_grow(p->at, &p->at_cap, p->n, 64, sizeof *at);
    if (!at)
        return GX_SID_NONE;
    p->at = at;
    char *b = gx_reserve(p->buf, &p->cap, p->len + need, 1024, 1);
    if (!b)
        return GX_SID_NONE;
    p->buf = b;
    uint32_t n32 = (uint32_t)n;
    memcpy(p->buf + p->len, &n32, sizeof n32);
    memcpy(p->buf + p->len + sizeof n32, bytes, n);
    memset(p->buf + p->len + sizeof n32 + n, 0, need - sizeof n32 - n);
    gx_sid s = (gx_sid)(p->len + sizeof n32);
    p->len += need;
    p->at[p->n] = s;
    gx_slots_put(&p->index, h, p->n++);
    return s;
}

gx_sid gx_strpool_add_str(struct gx_strpool *p, const char *s)
{
    return s ? gx_strpool_add(p, s, strlen(s)) : GX_SID_NONE;
}

const void *gx_strpool_get(const struct gx_strpool *p, gx_sid s, size_t *len)
{
    if (s == GX_SID_NONE || s >= p->len) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = len_at(p, s);
    return p->buf + s;
}

int gx_strpool_copy(struct gx_strpool *dst, const struct gx_strpool *src)
{
    for (size_t i = 0; i < src->n; i++) /* the same order: the same numbers */
        if (gx_strpool_add(dst, src->buf + src->at[i], len_at(src, src->at[i])) != src->at[i])
            return -1;
    return 0;
}

void gx_strpool_trim(struct gx_strpool *p)
{
    p->buf = gx_shrink(p->buf, &p->cap, p->len, 1);
    p->at = gx_shrink(p->at, &p->at_cap, p->n, sizeof *p->at);
}

size_t gx_strpool_bytes(const struct gx_strpool *p)
{
    return p->cap + p->at_cap * sizeof *p->at + p->index.n * sizeof *p->index.slot;
}

void gx_strpool_free(struct gx_strpool *p)
{
    free(p->buf);
    free(p->at);
    gx_slots_free(&p->index);
    memset(p, 0, sizeof *p);
}
