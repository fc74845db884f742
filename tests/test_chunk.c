#include "chunk.h"
#include "tap.h"

static int covers(const struct gx_chunking *p)
{
    size_t next = 0;
    for (size_t i = 0; i < p->nchunks; i++) {
        if (gx_chunk_offset(p, i) != next || gx_chunk_length(p, i) == 0 ||
            gx_chunk_length(p, i) > p->chunk)
            return 0;
        next += gx_chunk_length(p, i);
    }
    return next == p->bytes;
}

/* The search replayed over recorded quick medians: measure(i) answers medians[i], its interval
 * spread (relative) to either side. */
struct replay {
    const double *medians;
    int calls;
    double spread;
};

static int replay_measure(int i, void *ctx, struct gx_cand_result *m, struct gx_err *err)
{
    struct replay *r = ctx;
    (void)err;
    r->calls++;
    double v = r->medians[i];
    *m = (struct gx_cand_result){v, v * (1 - r->spread), v * (1 + r->spread)};
    return GX_OK;
}

static int replay_fail(int i, void *ctx, struct gx_cand_result *m, struct gx_err *err)
{
    (void)i, (void)ctx, (void)m;
    return gx_fail(err, GX_ERUNTIME, "the candidate failed");
}

static void search_tests(void)
{
    const size_t K = 1024, M = K * K;
    /* staged at 64M on one H200 (results/issue32/h200x1/default-call5 at 208e285): GB/s of each
     * chunk at depth 2 and 4, rising to 16M/4, the whole message below it. */
    const size_t c64[] = {256 * K, 256 * K, M, M, 4 * M, 4 * M, 16 * M, 16 * M, 64 * M, 64 * M};
    const double staged[] = {19.0, 31.4, 36.0, 41.0, 46.0, 47.7, 49.1, 49.5, 47.3, 47.4};
    int order[GX_AUTO_MAX_CANDIDATES], best = -1;
    struct replay r = {staged, 0, 0};
    struct gx_err err = {0};
    int n = gx_chunk_search(c64, 10, 0, 0, replay_measure, &r, &best, order, &err);
    ok(best == 7 && n == 8 && r.calls == 8 && order[0] == 8 && order[1] == 9 && order[7] == 3,
       "a peak below the whole message: found (16M depth 4) from the top down, the two chunks "
       "below it tried, not the smallest (best %d, tried %d of 10)", best, n);
    /* A peak at the smallest chunk: the walk goes on while each chunk does better. */
    const double rising[] = {9, 10, 8, 7, 6, 5, 4, 3, 2, 1};
    r = (struct replay){rising, 0, 0};
    n = gx_chunk_search(c64, 10, 0, 0, replay_measure, &r, &best, order, &err);
    ok(best == 1 && n == 10, "a peak at the smallest chunk: every candidate, found (%d)", best);
    /* Latency: lower is better. */
    const double us[] = {5, 5, 5, 5, 5, 5, 2, 3, 4, 4};
    r = (struct replay){us, 0, 0};
    n = gx_chunk_search(c64, 10, 1, 0, replay_measure, &r, &best, order, &err);
    ok(best == 6 && n == 8,
       "lower is better: the lowest (%d), two chunks below it tried, no more (%d)", best, n);
    /* Two worse in a row end it, even when a smaller chunk would have been better. */
    const double dip[] = {99, 99, 1, 1, 1, 1, 1, 1, 50, 50};
    r = (struct replay){dip, 0, 0};
    n = gx_chunk_search(c64, 10, 0, 0, replay_measure, &r, &best, order, &err);
    ok(best == 8 && n == 6, "two chunks no better than the whole message: it stops there (%d)",
       n);
    /* A plateau above a peak (unified-prefetch at 64M on one shared H200: 64M, 16M and 4M
     * within 3%, 1M at depth 1 above them): with point medians it stops on the plateau; with
     * intervals that overlap there, the chunks are ties and the walk reaches the peak. */
    const double plateau[] = {30, 30, 50, 49, 40.1, 39.9, 40.2, 40.0, 40.4, 40.3};
    r = (struct replay){plateau, 0, 0};
    n = gx_chunk_search(c64, 10, 0, 0, replay_measure, &r, &best, order, &err);
    ok(best == 8 && n == 6, "a plateau measured without spread: two chunks below the best end "
       "it (best %d, tried %d)", best, n);
    r = (struct replay){plateau, 0, 0.02};
    n = gx_chunk_search(c64, 10, 0, 0, replay_measure, &r, &best, order, &err);
    ok(best == 2 && n == 10, "a plateau within its intervals: ties, the peak below found "
       "(best %d, tried %d)", best, n);
    /* Candidates of one iteration (points): the precision asked of a median makes the ties. */
    r = (struct replay){plateau, 0, 0};
    n = gx_chunk_search(c64, 10, 0, 0.01, replay_measure, &r, &best, order, &err);
    ok(best == 2 && n == 10, "a plateau of points within the precision asked (1%%): ties, the "
       "peak below found (best %d, tried %d)", best, n);
    /* A tie between two clearly worse chunks neither ends the walk nor starts it over. */
    const double tie[] = {99, 99, 40, 40, 49.5, 49.5, 40, 40, 50, 50};
    r = (struct replay){tie, 0, 0.02};
    n = gx_chunk_search(c64, 10, 0, 0, replay_measure, &r, &best, order, &err);
    ok(best == 8 && n == 8, "worse, a tie, worse: it stops there (best %d, tried %d)", best, n);
    const size_t one[] = {4 * K};
    r = (struct replay){staged, 0, 0};
    n = gx_chunk_search(one, 1, 0, 0, replay_measure, &r, &best, order, &err);
    ok(n == 1 && best == 0, "one candidate: tried, chosen");
    n = gx_chunk_search(c64, 10, 0, 0, replay_fail, NULL, &best, order, &err);
    ok(n < 0 && err.rc == GX_ERUNTIME, "a candidate's failure ends the search with its error");
}

int main(void)
{
    struct gx_chunking p;
    gx_chunking_init(&p, 4 << 20, 1 << 20, 2, 1);
    ok(p.nchunks == 4 && p.chunk == 1 << 20 && p.depth == 2 && covers(&p), "4M in 1M chunks: 4");

    gx_chunking_init(&p, (1 << 20) + 3, 256 << 10, 4, 1);
    ok(p.nchunks == 5 && gx_chunk_length(&p, 4) == 3 && gx_chunk_offset(&p, 4) == 1 << 20 &&
           covers(&p), "1M+3 in 256K chunks: 4 full and a last one of 3 bytes");

    gx_chunking_init(&p, 4095, 1 << 20, 2, 1);
    ok(p.nchunks == 1 && p.chunk == 4095 && gx_chunk_length(&p, 0) == 4095 && p.depth == 1,
       "chunk larger than the message: one chunk, depth limited to 1");

    gx_chunking_init(&p, 4095, 1 << 20, 2, 64);
    ok(p.depth == 2, "a window of messages keeps the depth (64 chunks to pipeline)");

    gx_chunking_init(&p, 1, 1, 8, 1);
    ok(p.nchunks == 1 && gx_chunk_length(&p, 0) == 1 && p.depth == 1, "one byte");

    gx_chunking_init(&p, 10, 3, 3, 1);
    ok(p.nchunks == 4 && gx_chunk_length(&p, 3) == 1 && p.depth == 3 && covers(&p),
       "10 in chunks of 3: 3,3,3,1");

    gx_chunking_init(&p, 10, 3, 0, 1);
    ok(p.depth == 1, "depth below 1 becomes 1");

    gx_chunking_init(&p, 64 << 20, 0, 4, 1);
    ok(p.nchunks == 1 && p.chunk == 64 << 20, "chunk 0: the whole message");

    int good = 1;
    for (size_t bytes = 1; bytes < 300; bytes += 7)
        for (size_t chunk = 1; chunk < 70; chunk += 5) {
            gx_chunking_init(&p, bytes, chunk, 4, 1);
            good &= covers(&p) && p.depth >= 1 && (size_t)p.depth <= p.nchunks;
        }
    ok(good, "every (size, chunk) combination is covered exactly; depth within the chunks");
    size_t cc[GX_AUTO_MAX_CANDIDATES];
    int cd[GX_AUTO_MAX_CANDIDATES];
    int n = gx_chunk_candidates(&gx_chunk_policy_auto, 4095, 1, NULL, 0, cc, cd, GX_AUTO_MAX_CANDIDATES);
    ok(n == 1 && cc[0] == 4095 && cd[0] == 1, "auto below 64K: the whole message, depth 1");
    n = gx_chunk_candidates(&gx_chunk_policy_auto, (size_t)1 << 30, 1, NULL, 0, cc, cd, GX_AUTO_MAX_CANDIDATES);
    good = n == 19 && cc[n - 1] == (size_t)1 << 30 && cd[n - 1] == 1;
    for (int i = 0; i + 1 < n; i++)
        good &= cc[i] >= (size_t)64 << 10 && cc[i] <= (size_t)64 << 20 && cc[i] < ((size_t)1 << 30) &&
                (cd[i] == 1 || cd[i] == 2 || cd[i] == 4);
    ok(good, "auto at 1G: 64K..64M x depth 1,2,4 and the whole message (%d candidates)", n);
    n = gx_chunk_candidates(&gx_chunk_policy_auto, (size_t)1 << 20, 1, NULL, 0, cc, cd, GX_AUTO_MAX_CANDIDATES);
    ok(n == 7 && cc[0] == (size_t)64 << 10 && cc[3] == (size_t)256 << 10 && cc[6] == (size_t)1 << 20,
       "auto at 1M: 64K and 256K x 3 depths, then the whole message");
    n = gx_chunk_candidates(&gx_chunk_policy_auto, (size_t)1 << 30, 1, NULL, 0, cc, cd, 5);
    ok(n == 5 && cc[4] == (size_t)1 << 30, "never more than asked for, the whole message kept");
    static const int two[] = {2, 8};
    n = gx_chunk_candidates(&gx_chunk_policy_auto, (size_t)1 << 20, 1, two, 2, cc, cd,
                            GX_AUTO_MAX_CANDIDATES);
    ok(n == 5 && cd[0] == 2 && cd[1] == 8 && cd[2] == 2 && cd[3] == 4 && cd[4] == 1,
       "auto with --depth 2,8 on one message of 1M: those depths, capped at the chunks there are "
       "(256K: 4), then the whole message");

    /* The defaults without --chunk/--depth. */
    good = 1;
    for (size_t bytes = 1; bytes <= (size_t)1 << 30; bytes *= 2) {
        n = gx_chunk_candidates(&gx_chunk_policy_whole, bytes, 1, NULL, 0, cc, cd,
                                GX_AUTO_MAX_CANDIDATES);
        good &= n == 1 && cc[0] == bytes && cd[0] == 1;
    }
    ok(good, "default of p2p: the whole message as one copy at every size");
    n = gx_chunk_candidates(&gx_chunk_policy_pipelined, (size_t)1 << 30, 1, NULL, 0, cc, cd,
                            GX_AUTO_MAX_CANDIDATES);
    ok(n == 5 && cc[0] == (size_t)4 << 20 && cc[2] == (size_t)16 << 20 && cd[0] == 2 &&
           cd[1] == 4 && cc[4] == (size_t)1 << 30,
       "pipelined default at 1G: 4M and 16M (at most 256 pieces) x depth 2,4, the whole (%d)", n);
    n = gx_chunk_candidates(&gx_chunk_policy_pipelined, (size_t)64 << 20, 1, NULL, 0, cc, cd,
                            GX_AUTO_MAX_CANDIDATES);
    ok(n == 9 && cc[0] == (size_t)256 << 10 && cc[7] == (size_t)16 << 20,
       "pipelined default at 64M: 256K..16M x 2 depths and the whole message (%d)", n);
    n = gx_chunk_candidates(&gx_chunk_policy_pipelined, 4096, 1, NULL, 0, cc, cd,
                            GX_AUTO_MAX_CANDIDATES);
    ok(n == 1 && cc[0] == 4096, "pipelined default below 64K: the whole message only");
    good = 1;
    for (size_t bytes = 1; bytes <= (size_t)1 << 30; bytes *= 2) {
        size_t ac[GX_AUTO_MAX_CANDIDATES];
        int ad[GX_AUTO_MAX_CANDIDATES];
        int na = gx_chunk_candidates(&gx_chunk_policy_auto, bytes, 1, NULL, 0, ac, ad,
                                     GX_AUTO_MAX_CANDIDATES);
        n = gx_chunk_candidates(&gx_chunk_policy_pipelined, bytes, 1, NULL, 0, cc, cd,
                                GX_AUTO_MAX_CANDIDATES);
        for (int i = 0; i < n; i++) {
            int found = 0;
            for (int j = 0; j < na; j++)
                found |= ac[j] == cc[i] && ad[j] == cd[i];
            good &= found;
        }
        good &= n <= na;
    }
    ok(good, "the pipelined default tries a subset of --chunk auto's candidates at every size");
    n = gx_chunk_candidates(&gx_chunk_policy_pipelined, (size_t)1 << 20, 64, NULL, 0, cc, cd,
                            GX_AUTO_MAX_CANDIDATES);
    ok(n == 6 && cc[4] == (size_t)1 << 20 && cd[4] == 2 && cc[5] == (size_t)1 << 20 && cd[5] == 4,
       "a window of 64 messages of 1M: the whole message at depth 2 and 4 too, pipelining "
       "messages (%d)", n);
    n = gx_chunk_candidates(&gx_chunk_policy_pipelined, (size_t)128 << 10, 1, NULL, 0, cc, cd,
                            GX_AUTO_MAX_CANDIDATES);
    ok(n == 2 && cc[0] == (size_t)64 << 10 && cd[0] == 2 && cc[1] == (size_t)128 << 10 && cd[1] == 1,
       "one message of 128K: depth capped at its 2 chunks, equal candidates tried once (%d)", n);
    n = gx_chunk_candidates(&gx_chunk_policy_whole, (size_t)1 << 20, 64, NULL, 0, cc, cd,
                            GX_AUTO_MAX_CANDIDATES);
    ok(n == 1 && cc[0] == (size_t)1 << 20 && cd[0] == 1, "p2p: the whole message at depth 1 only");

    /* Unified memory: chunks in whole pages, dividing or multiples of the 2M migration block. */
    const size_t K = 1024, M = K * K, pg = 4 * K, blk = 2 * M;
    ok(gx_chunk_round_pages(M, 64 * M, pg, blk) == M, "1M stays 1M (divides 2M)");
    ok(gx_chunk_round_pages(64 * K, 64 * M, pg, blk) == 64 * K, "64K stays 64K");
    ok(gx_chunk_round_pages(100, 64 * M, pg, blk) == pg, "100 bytes: one page");
    ok(gx_chunk_round_pages(768 * K, 64 * M, pg, blk) == M, "768K: 1M, the next divisor of 2M");
    ok(gx_chunk_round_pages(3 * M, 64 * M, pg, blk) == 4 * M, "3M: 4M, whole blocks");
    ok(gx_chunk_round_pages(16 * M, 64 * M, pg, blk) == 16 * M, "16M stays 16M");
    ok(gx_chunk_round_pages(0, 5 * M + 1, pg, blk) == 5 * M + 1, "chunk 0: the whole message");
    ok(gx_chunk_round_pages(6 * M, 5 * M + 1, pg, blk) == 5 * M + 1,
       "a chunk beyond the message: the whole message");
    ok(gx_chunk_round_pages(5 * M, 5 * M + 1, pg, blk) == 5 * M + 1,
       "5M of 5M+1 rounds to 6M: the whole message");
    ok(gx_chunk_round_pages(3 * K, 4095, pg, blk) == 4095, "3K of 4095 bytes: one page, the message");
    good = 1;
    for (size_t bytes = 1; bytes < 40 * M; bytes = bytes * 3 + 4093)
        for (size_t chunk = 1; chunk < 20 * M; chunk = chunk * 5 + 1) {
            size_t c = gx_chunk_round_pages(chunk, bytes, pg, blk);
            gx_chunking_init(&p, bytes, c, 2, 1);
            int whole = c == bytes;
            int aligned = c % pg == 0 && (c < blk ? blk % c == 0 : c % blk == 0);
            /* every chunk but the last starts and ends on a page; none is smaller than asked */
            good &= covers(&p) && (whole || (aligned && c >= chunk && c < bytes));
            for (size_t i = 0; !whole && i < p.nchunks; i++)
                good &= gx_chunk_offset(&p, i) % pg == 0;
        }
    ok(good, "every (size, chunk): page-aligned chunk starts, no chunk shorter than asked, "
             "the message covered");
    search_tests();
    return tap_done();
}
