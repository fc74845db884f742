/* libFuzzer: pair lists and schemes (gx_pairs_resolve). The first byte is the job size (its
 * low two bits also give 1 to 4 ranks per node, in blocks: uneven where that does not divide
 * the size), the rest the spec. */
#include "fuzz_util.h"
#include "pairs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int nranks = data[0] + 1, per_node = 1 + data[0] % 4;
    char *text = fuzz_text(data + 1, size - 1);
    int node_of[256];
    for (int r = 0; r < nranks; r++)
        node_of[r] = r / per_node;
    struct gx_err err = {0};
    struct gx_layout l;
    if (!text || gx_layout_make(nranks, node_of, &l, &err) != GX_OK) {
        free(text);
        return 0;
    }
    struct gx_pairs p;
    if (gx_pairs_resolve(text, &l, &p, &err) == GX_OK) {
        for (int r = 0; r < p.nrounds; r++) {
            const struct gx_round *round = &p.rounds[r];
            for (int i = 0; i < round->npairs; i++) {
                const struct gx_pair *q = &round->pairs[i];
                /* Pairs are within the job, of two ranks, and each rank at most once a round
                 * (all / all-concurrent are ordered pairs: a may be above b). */
                if (q->a < 0 || q->b < 0 || q->a >= nranks || q->b >= nranks || q->a == q->b ||
                    gx_round_find(round, q->a) != q || gx_round_find(round, q->b) != q)
                    abort();
            }
        }
        gx_pairs_free(&p);
    }
    gx_layout_free(&l);
    free(text);
    return 0;
}
