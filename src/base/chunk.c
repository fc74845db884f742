#include "chunk.h"
#include "options.h"

void gx_chunking_init(struct gx_chunking *p, size_t bytes, size_t chunk, int depth, int count)
{
    p->bytes = bytes;
    p->chunk = chunk == 0 || chunk > bytes ? bytes : chunk;
    p->nchunks = bytes == 0 ? 0 : (bytes + p->chunk - 1) / p->chunk;
    size_t ops = p->nchunks * (size_t)(count > 0 ? count : 1);
    p->depth = depth < 1 ? 1 : depth;
    if (ops > 0 && (size_t)p->depth > ops)
        p->depth = (int)ops; /* slots that could never fill would only cost staging memory */
}

size_t gx_chunk_offset(const struct gx_chunking *p, size_t i)
{
    return i * p->chunk;
}

size_t gx_chunk_length(const struct gx_chunking *p, size_t i)
{
    size_t off = i * p->chunk;
    return p->bytes - off < p->chunk ? p->bytes - off : p->chunk;
}

size_t gx_chunk_round_pages(size_t chunk, size_t bytes, size_t page, size_t block)
{
    if (chunk == 0 || chunk >= bytes)
        return bytes;
    size_t c;
    if (chunk >= block) {
        c = (chunk + block - 1) / block * block;
    } else {
        c = page;
        while (c < chunk)
            c *= 2;
    }
    return c >= bytes ? bytes : c;
}

/* Below 64 KiB a chunk's copy costs more in launch and handshake than it could overlap. */
const struct gx_chunk_policy gx_chunk_policy_auto = {
    .min_chunk = GX_CHUNK_MIN_KIB * GX_KIB,
    .max_chunk = GX_CHUNK_AUTO_MAX_MIB * GX_MIB,
    .ndepths = (int)GX_ARRAY_LEN(((int[]){GX_CHUNK_AUTO_DEPTHS})),
    .depths = {GX_CHUNK_AUTO_DEPTHS},
};

const struct gx_chunk_policy gx_chunk_policy_whole = {.max_chunk = 0, .ndepths = 1, .depths = {1}};

/* --chunk auto's best staged and zerocopy settings: no chunk under 1/256, no depth 1 but whole. */
const struct gx_chunk_policy gx_chunk_policy_pipelined = {
    .min_chunk = GX_CHUNK_MIN_KIB * GX_KIB,
    .max_chunk = GX_CHUNK_PIPELINED_MAX_MIB * GX_MIB,
    .max_pieces = GX_CHUNK_PIPELINED_PIECES,
    .ndepths = (int)GX_ARRAY_LEN(((int[]){GX_CHUNK_PIPELINED_DEPTHS})),
    .depths = {GX_CHUNK_PIPELINED_DEPTHS},
};

static int add_candidate(size_t bytes, long count, size_t c, int d, size_t *chunks, int *cdepths,
                         int n)
{
    size_t inflight = (bytes + c - 1) / c * (size_t)(count > 0 ? count : 1);
    int depth = (size_t)d > inflight ? (int)inflight : d;
    for (int i = 0; i < n; i++)
        if (chunks[i] == c && cdepths[i] == depth)
            return n;
    chunks[n] = c;
    cdepths[n] = depth;
    return n + 1;
}

int gx_chunk_candidates(const struct gx_chunk_policy *p, size_t bytes, long count,
                        const int *depths, int ndepths, size_t *chunks, int *cdepths, int max)
{
    if (ndepths <= 0) {
        depths = p->depths;
        ndepths = p->ndepths;
    }
    if (ndepths <= 0) { /* a policy of the whole message alone */
        static const int one = 1;
        depths = &one;
        ndepths = 1;
    }
    size_t probe_c[GX_AUTO_MAX_CANDIDATES]; /* the whole message is always tried */
    int probe_d[GX_AUTO_MAX_CANDIDATES], wholes = 0;
    for (int d = 0; bytes > 0 && d < ndepths && wholes < GX_AUTO_MAX_CANDIDATES; d++)
        wholes = add_candidate(bytes, count, bytes, depths[d], probe_c, probe_d, wholes);
    int n = 0, room = max - wholes < 1 ? 1 : max - wholes;
    for (size_t c = p->min_chunk; p->max_chunk && c < bytes && c <= p->max_chunk; c *= 4) {
        if (p->max_pieces && (bytes + c - 1) / c > p->max_pieces)
            continue;
        for (int d = 0; d < ndepths && n < room; d++)
            n = add_candidate(bytes, count, c, depths[d], chunks, cdepths, n);
    }
    for (int d = 0; bytes > 0 && d < ndepths && n < max; d++)
        n = add_candidate(bytes, count, bytes, depths[d], chunks, cdepths, n);
    return n;
}

static int better(const struct gx_cand_result *a, const struct gx_cand_result *b, int lower)
{
    return lower ? a->median < b->median : a->median > b->median;
}

static void widen(const struct gx_cand_result *m, double tie, double *lo, double *hi)
{
    double band = m->median * tie;
    *lo = m->lo < m->median - band ? m->lo : m->median - band;
    *hi = m->hi > m->median + band ? m->hi : m->median + band;
}

static int clearly_worse(const struct gx_cand_result *a, const struct gx_cand_result *b,
                         int lower, double tie)
{
    double alo, ahi, blo, bhi;
    widen(a, tie, &alo, &ahi);
    widen(b, tie, &blo, &bhi);
    return lower ? alo > bhi : ahi < blo;
}

int gx_chunk_search(const size_t *chunks, int n, int lower_is_better, double tie,
                    gx_cand_measure_fn measure, void *ctx, int *best, int *order,
                    struct gx_err *err)
{
    int tried = 0, worse = 0; /* chunks clearly worse than the best since it was found */
    struct gx_cand_result best_m = {0};
    *best = n - 1;
    size_t level = (size_t)-1; /* the chunk tried last; the next is the largest below it */
    while (worse < 2) {
        size_t next = 0;
        for (int i = 0; i < n; i++)
            if (chunks[i] < level && chunks[i] > next)
                next = chunks[i];
        if (next == 0)
            break;
        level = next;
        struct gx_cand_result level_m = {0};
        int level_tried = 0;
        for (int i = 0; i < n; i++) {
            struct gx_cand_result m;
            if (chunks[i] != level)
                continue;
            if (measure(i, ctx, &m, err) != GX_OK)
                return -1;
            if (level_tried++ == 0 || better(&m, &level_m, lower_is_better))
                level_m = m;
            if (tried == 0 || better(&m, &best_m, lower_is_better)) {
                best_m = m;
                *best = i;
            }
            order[tried++] = i;
        }
        if (chunks[*best] == level)
            worse = 0;
        else if (clearly_worse(&level_m, &best_m, lower_is_better, tie))
            worse++;
    }
    return tried;
}

const char *gx_chunk_choice_name(int choice)
{
    static const char *const names[] = {"default", "auto", "given"}; /* enum gx_chunk_mode */
    return choice >= 0 && choice < (int)GX_ARRAY_LEN(names) ? names[choice] : "unknown";
}

int gx_chunk_picked(size_t chunk, int choice)
{
    return chunk > 0 && choice != GX_CHUNK_GIVEN;
}
