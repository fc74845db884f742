#include "config.h"
#include "slots.h"

#include <stdlib.h>

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
