#include "config.h"
#include "strpool.h"

#include <stdlib.h>
#include <string.h>

static uint32_t hash_of(const unsigned char *b, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

static uint32_t len_at(const struct gx_strpool *p, gx_sid s)
{
    uint32_t n;
    memcpy(&n, p->buf + s - sizeof n, sizeof n);
    return n;
}

/* The slot of these bytes: theirs, or the empty one where they would go. */
static size_t slot_of(const struct gx_strpool *p, const void *b, size_t n, uint32_t h)
{
    size_t i = h & (p->nslots - 1);
    while (p->slots[i] && !(len_at(p, p->slots[i]) == n && !memcmp(p->buf + p->slots[i], b, n)))
        i = (i + 1) & (p->nslots - 1);
    return i;
}

static int grow_slots(struct gx_strpool *p)
{
    size_t n = p->nslots ? p->nslots * 2 : 64;
    gx_sid *old = p->slots;
    size_t nold = p->nslots;
    if (!(p->slots = calloc(n, sizeof *p->slots))) {
        p->slots = old;
        return -1;
    }
    p->nslots = n;
    for (size_t i = 0; i < nold; i++)
        if (old[i]) {
            size_t len = len_at(p, old[i]);
            p->slots[slot_of(p, p->buf + old[i], len, hash_of((const unsigned char *)p->buf +
                                                                   old[i], len))] = old[i];
        }
    free(old);
    return 0;
}

gx_sid gx_strpool_add(struct gx_strpool *p, const void *bytes, size_t n)
{
    if (!bytes || n > UINT32_MAX / 2)
        return GX_SID_NONE;
    if ((p->used + 1) * 2 > p->nslots && grow_slots(p) != 0)
        return GX_SID_NONE;
    uint32_t h = hash_of(bytes, n);
    size_t i = slot_of(p, bytes, n, h);
    if (p->slots[i])
        return p->slots[i];
    size_t need = (sizeof(uint32_t) + n + 1 + 3) & ~(size_t)3;
    if (p->len + need > p->cap) {
        size_t cap = p->cap ? p->cap : 1024;
        while (cap < p->len + need)
            cap *= 2;
        char *b = realloc(p->buf, cap);
        if (!b)
            return GX_SID_NONE;
        p->buf = b;
        p->cap = cap;
    }
    uint32_t n32 = (uint32_t)n;
    memcpy(p->buf + p->len, &n32, sizeof n32);
    memcpy(p->buf + p->len + sizeof n32, bytes, n);
    memset(p->buf + p->len + sizeof n32 + n, 0, need - sizeof n32 - n);
    gx_sid s = (gx_sid)(p->len + sizeof n32);
    p->len += need;
    p->slots[i] = s;
    p->used++;
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

void gx_strpool_trim(struct gx_strpool *p)
{
    char *b = p->len ? realloc(p->buf, p->len) : NULL;
    if (b) {
        p->buf = b;
        p->cap = p->len;
    }
}

size_t gx_strpool_bytes(const struct gx_strpool *p)
{
    return p->cap + p->nslots * sizeof *p->slots;
}

void gx_strpool_free(struct gx_strpool *p)
{
    free(p->buf);
    free(p->slots);
    memset(p, 0, sizeof *p);
}
