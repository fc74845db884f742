/* The report's skips (skips.c): each (run, path, reason, pairs) once, the pairs held as runs,
 * written out one element per pair in the order they came; a job's worth of pairs in little
 * memory. */
#include "report.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* What the skips hold on the heap: their arrays as allocated, the index and the kinds' strings. */
static size_t held_bytes(const struct gx_skips *s)
{
    size_t b = s->kinds_cap * sizeof *s->kinds + s->events_cap * sizeof *s->events +
               s->runs_cap * sizeof *s->runs + s->index.n * sizeof *s->index.slot;
    for (size_t i = 0; i < s->nkinds; i++)
        b += strlen(s->kinds[i].run) + strlen(s->kinds[i].path) + strlen(s->kinds[i].reason) + 3;
    return b;
}

static int out_text(void *ctx, const char *buf, size_t len)
{
    char **text = ctx;
    size_t have = *text ? strlen(*text) : 0;
    char *grown = realloc(*text, have + len + 1);
    if (!grown)
        return 12;
    memcpy(grown + have, buf, len);
    grown[have + len] = '\0';
    *text = grown;
    return 0;
}

static int fill(struct gx_jstream *w, int slot, void *ctx)
{
    return gx_skips_fill(w, slot, ctx);
}

/* The skips as the report prints them, parsed back. */
static cJSON *written(struct gx_skips *s)
{
    char *text = NULL;
    struct gx_jstream *w = calloc(1, sizeof *w);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "skipped", gx_stream_slot(0));
    *w = (struct gx_jstream){.out = out_text, .out_ctx = &text, .fill = fill, .fill_ctx = s};
    int e = gx_stream_doc(w, doc);
    cJSON *back = e ? NULL : cJSON_Parse(text);
    cJSON_Delete(doc);
    free(w);
    free(text);
    cJSON *skipped = cJSON_DetachItemFromObject(back, "skipped");
    cJSON_Delete(back);
    return skipped;
}

static int is_skip(const cJSON *o, const char *run, const char *path, int a, int b,
                   const char *reason)
{
    const cJSON *r = cJSON_GetObjectItem(o, "run"), *k = cJSON_GetObjectItem(o, "ranks");
    int run_ok = run ? cJSON_IsString(r) && !strcmp(r->valuestring, run) : r == NULL;
    int ranks_ok = a < 0 ? k == NULL
                         : cJSON_GetArraySize(k) == 2 &&
                               cJSON_GetArrayItem(k, 0)->valueint == a &&
                               cJSON_GetArrayItem(k, 1)->valueint == b;
    return run_ok && ranks_ok &&
           !strcmp(cJSON_GetObjectItem(o, "path")->valuestring, path) &&
           !strcmp(cJSON_GetObjectItem(o, "reason")->valuestring, reason);
}

int main(void)
{
    struct gx_skips s = {0};
    const struct gx_pair disjoint[] = {{0, 1}, {2, 3}, {4, 5}, {6, 7}};
    const struct gx_pair odd[] = {{0, 3}, {5, 1}, {2, 2}};
    int e = gx_skips_add(&s, "", "p2p", disjoint, 4, "no CUDA driver");
    e |= gx_skips_add(&s, "a", "nccl", NULL, 0, "not built in");
    e |= gx_skips_add(&s, "", "p2p", disjoint, 4, "no CUDA driver"); /* the next size group */
    e |= gx_skips_add(&s, "", "p2p", odd, 3, "no CUDA driver");
    e |= gx_skips_add(&s, "", "p2p", disjoint, 3, "no CUDA driver"); /* fewer: a new skip */
    e |= gx_skips_add(&s, "a", "nccl", NULL, 0, "not built in");
    ok(e == 0 && s.nkinds == 2 && s.nevents == 4,
       "a skip repeated (the next group of sizes) is held once: 4 of 6, 2 kinds");
    ok(s.events[0].nruns == 1 && s.runs[0].n == 4 && s.runs[0].da == 2 && s.runs[0].db == 2,
       "pairs of a step are one run: (0,1) step (2,2) x4");
    cJSON *w = written(&s);
    int n = cJSON_GetArraySize(w);
    ok(n == 4 + 1 + 3 + 3 && is_skip(cJSON_GetArrayItem(w, 0), NULL, "p2p", 0, 1, "no CUDA driver") &&
           is_skip(cJSON_GetArrayItem(w, 3), NULL, "p2p", 6, 7, "no CUDA driver") &&
           is_skip(cJSON_GetArrayItem(w, 4), "a", "nccl", -1, -1, "not built in") &&
           is_skip(cJSON_GetArrayItem(w, 5), NULL, "p2p", 0, 3, "no CUDA driver") &&
           is_skip(cJSON_GetArrayItem(w, 6), NULL, "p2p", 5, 1, "no CUDA driver") &&
           is_skip(cJSON_GetArrayItem(w, 7), NULL, "p2p", 2, 2, "no CUDA driver") &&
           is_skip(cJSON_GetArrayItem(w, 10), NULL, "p2p", 4, 5, "no CUDA driver"),
       "written one element per pair, in the order they came (%d elements)", n);
    cJSON_Delete(w);
    gx_skips_free(&s);

    /* --pairs all on 1,000 ranks, skipped for every pair by three groups of sizes: each round
     * (i, (i + r) mod n) is two runs at most. */
    enum { RANKS = 1000 };
    static struct gx_pair round[RANKS];
    long pairs = 0;
    for (int g = 0; g < 3; g++)
        for (int r = 1; r < RANKS; r++) {
            for (int i = 0; i < RANKS; i++)
                round[i] = (struct gx_pair){i, (i + r) % RANKS};
            e |= gx_skips_add(&s, "", "p2p", round, RANKS, "no CUDA driver");
            pairs += g == 0 ? RANKS : 0;
        }
    size_t bytes = held_bytes(&s);
    ok(e == 0 && s.nevents == RANKS - 1 && bytes < 256 * 1024,
       "%ld pairs skipped three times: %zu events, %zu bytes held (< 256 KiB)", pairs, s.nevents,
       bytes);
    gx_skips_free(&s);
    return tap_done();
}
