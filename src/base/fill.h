/* The data pattern every message carries, so that a receiver can check any byte on its own. */
#ifndef GX_FILL_H
#define GX_FILL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __CUDACC__
#define GX_HD __host__ __device__ __forceinline__
#else
#define GX_HD static inline
#endif

/* splitmix64: a shifted, repeated or stale buffer fails the check. */
GX_HD uint64_t gx_fill_word(uint32_t rank, uint32_t iter, uint64_t word)
{
    uint64_t z = ((uint64_t)rank << 48) ^ ((uint64_t)iter << 32) ^ word;
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

GX_HD uint8_t gx_fill_byte(uint32_t rank, uint32_t iter, uint64_t off)
{
    return (uint8_t)(gx_fill_word(rank, iter, off >> 3) >> (8 * (off & 7)));
}

#define GX_POISON_BYTE 0xA5

#ifndef __CUDACC__
void gx_fill_host(void *buf, size_t n, uint32_t rank, uint32_t iter);
int gx_check_host(const void *buf, size_t n, uint32_t rank, uint32_t iter, size_t *bad);
#endif

struct gx_err;
int gx_mem_host_fill(void *buf, size_t n, uint32_t rank, uint32_t iter, struct gx_err *err);
int gx_mem_host_poison(void *buf, size_t n, struct gx_err *err);
int gx_mem_host_check(const void *buf, size_t n, uint32_t rank, uint32_t iter, int *ok,
                      size_t *bad, struct gx_err *err);

#endif
