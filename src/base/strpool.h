/* A pool of strings and blocks, each distinct one held once: what every rank repeats costs one. */
#ifndef GX_STRPOOL_H
#define GX_STRPOOL_H

#include "slots.h"

#include <stddef.h>
#include <stdint.h>

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
