#include "fill.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
    size_t sizes[] = {1, 7, 8, 9, 4095, 4096, (1u << 20) + 3};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i], bad = 12345;
        unsigned char *b = malloc(n + 1);
        gx_fill_host(b + 1, n, 3, 17); /* unaligned on purpose */
        ok(gx_check_host(b + 1, n, 3, 17, &bad), "size %zu: pattern checks", n);
        if (n >= 8)
            ok(!gx_check_host(b + 1, n, 4, 17, &bad) && bad == 0,
               "size %zu: another rank's pattern fails at offset 0", n);
        ok(!gx_check_host(b + 1, n, 3, 18, &bad), "size %zu: another iteration's pattern fails", n);
        size_t at = n / 2 + (n > 2);
        if (at >= n)
            at = n - 1;
        b[1 + at] ^= 0x10;
        ok(!gx_check_host(b + 1, n, 3, 17, &bad) && bad == at,
           "size %zu: a flipped byte at %zu is found at %zu", n, at, bad);
        free(b);
    }
    unsigned char p[64];
    memset(p, GX_POISON_BYTE, sizeof p);
    size_t bad;
    ok(!gx_check_host(p, sizeof p, 0, 0, &bad), "poison never passes as data");
    /* byte view and word view agree */
    unsigned char w[16];
    gx_fill_host(w, 16, 1, 2);
    int same = 1;
    for (int i = 0; i < 16; i++)
        same &= w[i] == gx_fill_byte(1, 2, (uint64_t)i);
    ok(same, "word fill equals the byte-wise definition");
    return tap_done();
}
