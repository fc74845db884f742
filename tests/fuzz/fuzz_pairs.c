/* libFuzzer: pair lists (gx_pairs_resolve). The first byte is the job size, the rest the spec. */
#include "fuzz_util.h"
#include "pairs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int nranks = data[0] + 1;
    char *text = fuzz_text(data + 1, size - 1);
    if (!text)
        return 0;
    struct gx_err err = {0};
    struct gx_pairs p;
    if (gx_pairs_resolve(text, nranks, &p, &err) == GX_OK) {
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
    free(text);
    return 0;
}
