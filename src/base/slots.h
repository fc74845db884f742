/* An index of items by a hash (slots.c): open addressing over item numbers, kept at most half
 * full and rebuilt whole when it doubles. The items stay where their owner keeps them; the
 * owner says how to hash item i (to rebuild) and compares the items a lookup walks past. */
#ifndef GX_SLOTS_H
#define GX_SLOTS_H

#include <stddef.h>
#include <stdint.h>

struct gx_slots {
    int32_t *slot; /* item + 1; 0 empty */
    size_t n;      /* 0 or a power of two */
};

/* Item i's hash, for a rebuild. */
typedef uint64_t (*gx_slots_hash)(const void *items, size_t i);

/* Room for item number `count` (0-based: the count before it is put); 0, or -1 when out of
 * memory (the index as it was). */
int gx_slots_reserve(struct gx_slots *s, size_t count, gx_slots_hash hash, const void *items);
void gx_slots_put(struct gx_slots *s, uint64_t hash, size_t i);
/* The items whose hash lands where `hash` does, one after another: at = gx_slots_first(s, hash,
 * &i) while at >= 0, at = gx_slots_next(s, at, &i); -1 once none is left. */
long gx_slots_first(const struct gx_slots *s, uint64_t hash, size_t *i);
long gx_slots_next(const struct gx_slots *s, long at, size_t *i);
void gx_slots_free(struct gx_slots *s);

#endif
