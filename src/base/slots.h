/* An index of items by a hash: open addressing over item numbers, at most half full. */
#ifndef GX_SLOTS_H
#define GX_SLOTS_H

#include <stddef.h>
#include <stdint.h>

struct gx_slots {
    int32_t *slot; /* item + 1; 0 empty */
    size_t n;      /* 0 or a power of two */
};

typedef uint64_t (*gx_slots_hash)(const void *items, size_t i);

int gx_slots_reserve(struct gx_slots *s, size_t count, gx_slots_hash hash, const void *items);
void gx_slots_put(struct gx_slots *s, uint64_t hash, size_t i);
long gx_slots_first(const struct gx_slots *s, uint64_t hash, size_t *i);
long gx_slots_next(const struct gx_slots *s, long at, size_t *i);
void gx_slots_free(struct gx_slots *s);

#endif
