#include "fill.h"

#include "gx.h"

#include <string.h>

void gx_fill_host(void *buf, size_t n, uint32_t rank, uint32_t iter)
{
    unsigned char *p = buf;
    size_t words = n / 8;
    for (size_t w = 0; w < words; w++) {
        uint64_t v = gx_fill_word(rank, iter, w);
        memcpy(p + 8 * w, &v, 8); /* memcpy: buf need not be 8-byte aligned; little-endian */
    }
    for (size_t off = words * 8; off < n; off++)
        p[off] = gx_fill_byte(rank, iter, off);
}

int gx_check_host(const void *buf, size_t n, uint32_t rank, uint32_t iter, size_t *bad)
{
    const unsigned char *p = buf;
    size_t words = n / 8, w = 0;
    for (; w < words; w++) {
        uint64_t v = gx_fill_word(rank, iter, w), got;
        memcpy(&got, p + 8 * w, 8);
        if (got != v)
            break; /* the byte loop below finds which byte of it */
    }
    for (size_t off = 8 * w; off < n; off++)
        if (p[off] != gx_fill_byte(rank, iter, off)) {
            *bad = off;
            return 0;
        }
    return 1;
}

int gx_mem_host_fill(void *buf, size_t n, uint32_t rank, uint32_t iter, struct gx_err *err)
{
    (void)err;
    gx_fill_host(buf, n, rank, iter);
    return GX_OK;
}

int gx_mem_host_poison(void *buf, size_t n, struct gx_err *err)
{
    (void)err;
    memset(buf, GX_POISON_BYTE, n);
    return GX_OK;
}

int gx_mem_host_check(const void *buf, size_t n, uint32_t rank, uint32_t iter, int *ok,
                      size_t *bad, struct gx_err *err)
{
    (void)err;
    *ok = gx_check_host(buf, n, rank, iter, bad);
    return GX_OK;
}
