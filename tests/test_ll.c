/* The p2p ping-pong's LL lines (kernels/p2p_ll.h) on host memory: what the kernels do with
 * them, line by line, without a GPU. */
#include "p2p_ll.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* A message of n bytes of (rank, iter)'s pattern through the lines of round trip seq and back
 * out: what the sending and the receiving kernel do. Returns the first bad offset the receiver
 * reports, or -1; dst gets what arrived. `flip`: a byte of the lines' payload to corrupt, or
 * -1. */
static int64_t send_receive(size_t n, uint32_t rank, uint32_t iter, uint64_t seq, long flip,
                            uint8_t *dst, int *all_ready)
{
    uint8_t *src = malloc(n + 8);
    struct gx_ll_line *lines = calloc(gx_ll_lines(n), sizeof *lines);
    gx_fill_host(src, n, rank, iter);
    for (size_t k = 0; k < gx_ll_lines(n); k++)
        lines[k] = gx_ll_pack(gx_ll_load(src, n, k), gx_ll_flag(seq));
    if (flip >= 0) {
        struct gx_ll_line *l = &lines[flip / 8];
        uint32_t *half = flip % 8 < 4 ? &l->data1 : &l->data2;
        *half ^= 1u << (8 * (flip % 4));
    }
    int64_t first = -1;
    *all_ready = 1;
    for (size_t k = 0; k < gx_ll_lines(n); k++) {
        *all_ready &= gx_ll_ready(lines[k], gx_ll_flag(seq));
        int64_t bad = gx_ll_check(lines[k], n, k, rank, iter);
        if (bad >= 0 && first < 0)
            first = bad;
        gx_ll_store(dst, n, k, gx_ll_word(lines[k]));
    }
    free(lines);
    free(src);
    return first;
}

int main(void)
{
    ok(sizeof(struct gx_ll_line) == 16, "a line is 16 bytes: one vector store");
    ok(sizeof(struct gx_ll_header) == 128, "the header fills one 128-byte sector");
    ok(GX_LL_REGION_BYTES == 128 + (64 << 10) * 2, "a region holds 64 KiB of payload in lines");
    ok(GX_LL_PER_THREAD * GX_LL_THREADS == GX_LL_MAX_LINES, "the block's threads own every line");

    ok(gx_ll_lines(0) == 1, "0 bytes: one line, for the flag");
    ok(gx_ll_lines(1) == 1 && gx_ll_lines(8) == 1 && gx_ll_lines(9) == 2, "8 bytes a line");
    ok(gx_ll_lines(4096) == 512 && gx_ll_lines(65536) == GX_LL_MAX_LINES, "4K, 64K");
    ok(gx_ll_fits(8) && gx_ll_fits(65536) && !gx_ll_fits(65537),
       "LL up to 64 KiB, the copy engine beyond");
    ok(gx_ll_line_bytes(9, 0) == 8 && gx_ll_line_bytes(9, 1) == 1 && gx_ll_line_bytes(9, 2) == 0,
       "payload of each line of a 9-byte message: 8, 1, 0");
    ok(gx_ll_line_bytes(4095, 511) == 7, "the last line of 4095 bytes holds 7");

    struct gx_ll_line l = gx_ll_pack(0x1122334455667788ull, 7);
    ok(l.data1 == 0x55667788u && l.flag1 == 7 && l.data2 == 0x11223344u && l.flag2 == 7,
       "packed as {low data, flag, high data, flag}");
    ok(gx_ll_word(l) == 0x1122334455667788ull, "unpacked: the same word");
    ok(gx_ll_ready(l, 7) && !gx_ll_ready(l, 6) && !gx_ll_ready(l, 8),
       "ready for its own round trip only");
    struct gx_ll_line torn = l;
    torn.flag2 = 6;
    ok(!gx_ll_ready(torn, 7), "half of a line from the round trip before: not ready");
    torn = l;
    torn.flag1 = 6;
    ok(!gx_ll_ready(torn, 7), "the other half late: not ready");
    struct gx_ll_line zero = {0, 0, 0, 0};
    ok(!gx_ll_ready(zero, gx_ll_flag(1)) && gx_ll_flag(1) != 0,
       "a zeroed line is no round trip's (they count from 1)");

    ok(gx_ll_first_bad(0x00ff000000000000ull, 0, 8) == 6, "first differing byte: 6");
    ok(gx_ll_first_bad(0x00ff000000000000ull, 0, 6) == -1, "past the payload: not a difference");
    ok(gx_ll_first_bad(0x0101, 0x0100, 8) == 0, "byte 0");

    size_t sizes[] = {0, 1, 7, 8, 9, 4095, 4096, 65535, 65536};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t n = sizes[i];
        uint8_t *dst = malloc(n + 16), *want = malloc(n + 8);
        memset(dst, 0xA5, n + 16);
        gx_fill_host(want, n, 3, 41);
        int ready;
        int64_t bad = send_receive(n, 3, 41, 12345, -1, dst, &ready);
        ok(ready && bad == -1, "%zu bytes: every line ready and checked", n);
        int past = 0;
        for (size_t j = n; j < n + 16; j++)
            past |= dst[j] != 0xA5;
        ok(memcmp(dst, want, n) == 0 && !past, "%zu bytes: dst holds the message, nothing past it",
           n);
        if (n) {
            long at = (long)(n / 2 + (n > 2));
            if ((size_t)at >= n)
                at = (long)n - 1;
            bad = send_receive(n, 3, 41, 12345, at, dst, &ready);
            ok(ready && bad == at, "%zu bytes: a byte flipped at %ld is reported at %lld", n, at,
               (long long)bad);
            ok(send_receive(n, 3, 42, 1, -1, dst, &ready) == -1, "%zu bytes: iteration 42", n);
        }
        free(dst);
        free(want);
    }
    /* The receiver checks against the peer's rank and fill iteration: another one fails. */
    uint8_t src[24], dst[24];
    gx_fill_host(src, sizeof src, 1, 0);
    struct gx_ll_line line = gx_ll_pack(gx_ll_load(src, sizeof src, 2), gx_ll_flag(5));
    ok(gx_ll_check(line, sizeof src, 2, 1, 0) == -1 && gx_ll_check(line, sizeof src, 2, 0, 0) >= 16 &&
       gx_ll_check(line, sizeof src, 2, 1, 1) >= 16,
       "line 2 checks as rank 1 iteration 0 only, offsets from byte 16");
    gx_ll_store(dst, sizeof dst, 2, gx_ll_word(line));
    ok(memcmp(dst + 16, src + 16, 8) == 0, "line 2 lands at byte 16");

    ok(near(gx_ll_seconds(2000, 1000000, 2000000), 1e-6), "2000 cycles at 2 GHz: 1 us");
    ok(near(gx_ll_seconds(1980, 3000000, 5940000), 1e-6), "1980 cycles at 1.98 GHz: 1 us");
    ok(gx_ll_seconds(5, 1000, 0) == 0, "no span, no time");
    return tap_done();
}
