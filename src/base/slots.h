/* An index of items by a hash: open addressing over item numbers, at most half full; and the
 * pool of strings it indexes. */
#ifndef GX_SLOTS_H
#define GX_SLOTS_H

#include <stddef.h>
#include <stdint.h>

struct gx_slots {
    int32_t *slot; /* item + 1; 0 empty */
    size_t n;      /* 0 or a power of two */
};

typedef uint64_t (*gx_slots_hash)(const void *items, size_t i);
/* A hash of several values: each mixed into the last's. */
static inline uint64_t gx_hash_mix(uint64_t h, uint64_t v)
{
    return h ^ (v + 0x9E3779B97F4A7C15u + (h << 6) + (h >> 2));
}

int gx_slots_reserve(struct gx_slots *s, size_t count, gx_slots_hash hash, const void *items);
void gx_slots_put(struct gx_slots *s, uint64_t hash, size_t i);
long gx_slots_first(const struct gx_slots *s, uint64_t hash, size_t *i);
long gx_slots_next(const struct gx_slots *s, long at, size_t *i);
void gx_slots_free(struct gx_slots *s);

/* A pool of strings and blocks, each distinct one held once: what every rank repeats costs one. */
typedef uint32_t gx_sid;
#define GX_SID_NONE UINT32_MAX

struct gx_strpool {
    char *buf;      /* entries, 4-byte aligned: length (uint32), bytes, a '\0' */
    size_t len, cap;
    gx_sid *at;     /* entry i's place in buf, in the order they came */
    size_t n, at_cap;
    struct gx_slots index; /* entries by content */
};

gx_sid gx_strpool_add(struct gx_strpool *p, const void *bytes, size_t n);
gx_sid gx_strpool_add_str(struct gx_strpool *p, const char *s);
const void *gx_strpool_get(const struct gx_strpool *p, gx_sid s, size_t *len);
int gx_strpool_copy(struct gx_strpool *dst, const struct gx_strpool *src);
void gx_strpool_trim(struct gx_strpool *p);
size_t gx_strpool_bytes(const struct gx_strpool *p);
void gx_strpool_free(struct gx_strpool *p);

#endif
