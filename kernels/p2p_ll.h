/* The p2p path's ping-pong protocol, "LL" (low latency) as NCCL names it: the flag travels
 * inside the data. Every 16-byte line carries 8 payload bytes and the round trip's sequence
 * number twice, {data1, flag1, data2, flag2}, and is written with one 16-byte store; a receiver
 * polls its lines until each one's two flags equal the round trip's number. No fence orders
 * data before a separate flag, so a message costs one crossing of the link.
 *
 * Why 4+4+4+4 and not 8 bytes of data then an 8-byte flag: only 8-byte accesses are single-copy
 * atomic in the CUDA memory model. A 16-byte store that reached the peer as two 8-byte halves,
 * in either order, leaves each half either old or new; with a flag in each half, a line whose
 * two flags match is whole, whereas {data, flag} could show the new flag over old data.
 * The flags are 32 bits: each measurement counts round trips from 1 in regions zeroed before
 * it, and --iters plus --warmup stay far below 2^32.
 *
 * Shared by kernels/pingpong.cu and the host (tests/test_ll.c). */
#ifndef GX_P2P_LL_H
#define GX_P2P_LL_H

#include "fill.h"

#include <stddef.h>
#include <stdint.h>

/* Largest message sent as LL lines. A line doubles the bytes on the link and one block moves
 * them all: up to this size the doubled bytes cost about what a system fence and a flag after
 * plain stores would; beyond it one SM's rate shows, and the copy engine (cudaMemcpyAsync with
 * MPI tokens, whose fixed cost is larger) pays from a few hundred KiB (docs/paths.md, p2p). */
#define GX_LL_MAX_BYTES ((size_t)64 << 10)
#define GX_LL_LINE_PAYLOAD 8
#define GX_LL_MAX_LINES (GX_LL_MAX_BYTES / GX_LL_LINE_PAYLOAD)
/* One block; each thread owns lines tid, tid + threads, ... (at most GX_LL_PER_THREAD). */
#define GX_LL_THREADS 1024
#define GX_LL_PER_THREAD (GX_LL_MAX_LINES / GX_LL_THREADS)

struct gx_ll_line {
    uint32_t data1, flag1, data2, flag2;
};

/* The device region each side exports to its peer: the peer writes it, this side polls it. */
struct gx_ll_header {
    uint64_t armed;       /* the responder's: the round trip it is ready to answer */
    uint64_t left;        /* non-zero once the peer's kernel has left: its enum gx_ll_status */
    uint64_t left_seq;    /* ... the round trip it was at */
    uint64_t left_offset; /* ... GX_LL_BAD_DATA: the first byte that differed */
    uint64_t pad[12];     /* the lines start on their own 128-byte sector */
};
#define GX_LL_REGION_BYTES                                                                         \
    (sizeof(struct gx_ll_header) + GX_LL_MAX_LINES * sizeof(struct gx_ll_line))

/* Why a kernel stopped or what a round trip came to. */
enum gx_ll_status {
    GX_LL_OK,
    GX_LL_STOPPED,     /* its host stopped it (end of the measurement, or a failure there) */
    GX_LL_WAITED_HOST, /* no command from its host within the limit */
    GX_LL_WAITED_PEER, /* no answer (or no peer ready) within the limit */
    GX_LL_PEER_LEFT,   /* the peer's kernel left first: left, left_seq, left_offset say why */
    GX_LL_BAD_DATA,    /* the payload differs from the peer's pattern */
    GX_LL_NSTATUS
};

/* The command block in pinned host memory mapped into the GPU (cudaHostAllocMapped), one per
 * side: the host writes the first part, the kernel the second. The host reads the second part
 * once `done` reached the round trip it asked for. */
#define GX_LL_STOP UINT64_MAX
struct gx_ll_ctl {
    uint64_t cmd;       /* the round trip to make (1, 2, ... in order), or GX_LL_STOP */
    uint64_t bytes;     /* its payload: the whole message, <= GX_LL_MAX_BYTES */
    uint64_t fill_iter; /* the iteration whose pattern the peer's src holds */
    uint64_t pad0[5];
    uint64_t done;        /* the last round trip finished or given up */
    uint64_t status;      /* enum gx_ll_status of that round trip */
    uint64_t cycles;      /* initiator: SM clock cycles, its first store to the last line back */
    uint64_t bad_offset;  /* GX_LL_BAD_DATA: the first byte that differed */
    uint64_t span_ns;     /* initiator: %globaltimer between two of its ticks, the first when the */
    uint64_t span_cycles; /* kernel began, the last after this round trip (>= 1 ms); clock64 too */
    uint64_t tick_ns;     /* initiator: the smallest tick of %globaltimer seen */
    uint64_t peer_status; /* GX_LL_PEER_LEFT: the peer's header (left, left_seq, left_offset) */
    uint64_t peer_seq, peer_offset;
};

GX_HD size_t gx_ll_lines(size_t bytes)
{
    return bytes ? (bytes + GX_LL_LINE_PAYLOAD - 1) / GX_LL_LINE_PAYLOAD : 1; /* 0 B: a flag */
}

GX_HD int gx_ll_fits(size_t bytes)
{
    return bytes <= GX_LL_MAX_BYTES;
}

/* Payload bytes in line k of a message of `bytes`: 8 but in a short last line. */
GX_HD size_t gx_ll_line_bytes(size_t bytes, size_t k)
{
    size_t at = k * GX_LL_LINE_PAYLOAD;
    return at >= bytes ? 0 : bytes - at < GX_LL_LINE_PAYLOAD ? bytes - at : GX_LL_LINE_PAYLOAD;
}

/* The flag of round trip seq (1, 2, ...; never 0, the value of a zeroed line). */
GX_HD uint32_t gx_ll_flag(uint64_t seq)
{
    return (uint32_t)seq;
}

/* Word k of the message (little-endian bytes, as gx_fill_word), zero-padded past its end. Read
 * through volatile: on the GPU that bypasses the L1 cache, which may hold the buffer from
 * before the host refilled it. src is 8-byte aligned. */
GX_HD uint64_t gx_ll_load(const volatile uint8_t *src, size_t bytes, size_t k)
{
    size_t n = gx_ll_line_bytes(bytes, k);
    if (n == GX_LL_LINE_PAYLOAD)
        return ((const volatile uint64_t *)src)[k];
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)src[k * GX_LL_LINE_PAYLOAD + i] << (8 * i);
    return w;
}

/* Stores word k into the message, no byte past its end. dst is 8-byte aligned. */
GX_HD void gx_ll_store(uint8_t *dst, size_t bytes, size_t k, uint64_t w)
{
    size_t n = gx_ll_line_bytes(bytes, k);
    if (n == GX_LL_LINE_PAYLOAD) {
        ((uint64_t *)dst)[k] = w;
        return;
    }
    for (size_t i = 0; i < n; i++)
        dst[k * GX_LL_LINE_PAYLOAD + i] = (uint8_t)(w >> (8 * i));
}

GX_HD struct gx_ll_line gx_ll_pack(uint64_t w, uint32_t flag)
{
    struct gx_ll_line l = {(uint32_t)w, flag, (uint32_t)(w >> 32), flag};
    return l;
}

/* Both halves of the line carry the flag: both arrived. */
GX_HD int gx_ll_ready(struct gx_ll_line l, uint32_t flag)
{
    return l.flag1 == flag && l.flag2 == flag;
}

GX_HD uint64_t gx_ll_word(struct gx_ll_line l)
{
    return (uint64_t)l.data1 | (uint64_t)l.data2 << 32;
}

/* The first of the first n bytes (little-endian) where got differs from want, or -1. */
GX_HD int gx_ll_first_bad(uint64_t got, uint64_t want, size_t n)
{
    uint64_t diff = got ^ want;
    for (size_t i = 0; i < n; i++)
        if ((diff >> (8 * i)) & 0xff)
            return (int)i;
    return -1;
}

/* The first byte of line k that differs from word k of (rank, iter)'s pattern, as an offset in
 * the message, or -1 when the line holds the pattern. */
GX_HD int64_t gx_ll_check(struct gx_ll_line l, size_t bytes, size_t k, uint32_t rank,
                          uint32_t iter)
{
    int b = gx_ll_first_bad(gx_ll_word(l), gx_fill_word(rank, iter, k), gx_ll_line_bytes(bytes, k));
    return b < 0 ? -1 : (int64_t)(k * GX_LL_LINE_PAYLOAD) + b;
}

/* A round trip of `cycles` SM clock cycles, in seconds, at the rate of the kernel's clock
 * against %globaltimer (span_ns over span_cycles); 0 without a span. */
GX_HD double gx_ll_seconds(uint64_t cycles, uint64_t span_ns, uint64_t span_cycles)
{
    return span_cycles ? (double)cycles * ((double)span_ns / (double)span_cycles) * 1e-9 : 0;
}

#endif
