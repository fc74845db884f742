#include "round_sum.h"
#include "wrap.h"

#include "ceiling.h"
#include "report.h"

void gx_round_sum_begin(struct gx_round_sum *s, int round, int nrounds, int npairs)
{
    *s = (struct gx_round_sum){.round = round, .nrounds = nrounds, .npairs = npairs};
}

void gx_round_sum_add(struct gx_round_sum *s, const struct gx_result *r)
{
    if (s->nok == 0 && s->first.path == NULL) {
        s->first = *r;
        s->first.samples = NULL; /* only its key fields are read */
        s->bandwidth = r->family != GX_FAMILY_LATENCY;
    }
    if (r->state != GX_STATE_OK || !(r->stats.median > 0) || r->size == 0)
        return;
    s->nok++;
    if (s->bandwidth) {
        /* GB/s is 1e9 bytes/s; bibw's figure counts both ways, so do its messages. */
        s->gbps += r->stats.median;
        s->msg_rate += r->stats.median * 1e9 / (double)r->size;
    } else {
        s->msg_rate += 1e6 / r->stats.median; /* one-way messages per second of a ping-pong */
    }
}

cJSON *gx_round_sum_json(const struct gx_round_sum *s)
{
    const struct gx_result *r = &s->first;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    gx_result_key_json(o, r);
    cJSON_AddNumberToObject(o, "size", (double)r->size);
    /* Chunks picked per pair differ within the round: the first pair's would misname it. */
    gx_chunk_key_json(o, r->chunk, r->depth, r->chunk_choice);
    cJSON_AddNumberToObject(o, "round", s->round);
    cJSON_AddNumberToObject(o, "rounds", s->nrounds);
    cJSON_AddNumberToObject(o, "pairs", s->npairs);
    cJSON_AddNumberToObject(o, "pairs_measured", s->nok);
    if (s->bandwidth)
        cJSON_AddNumberToObject(o, "aggregate_gbps", s->gbps);
    cJSON_AddNumberToObject(o, "message_rate", s->msg_rate);
    return o;
}

void gx_round_sum_print(FILE *out, const struct gx_round_sum *s)
{
    char bw[64] = "";
    if (s->bandwidth)
        snprintf(bw, sizeof bw, "aggregate %.3f GB/s, ", s->gbps);
    gx_print_note(out, "# round %d of %d: %d pairs at once (%d measured), %s%.4g messages/s (sums "
                  "over the pairs)\n", s->round + 1, s->nrounds, s->npairs, s->nok, bw, s->msg_rate);
}
