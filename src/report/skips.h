/* The report's skips (skips.c). */
#ifndef GX_SKIPS_H
#define GX_SKIPS_H

#include "json_stream.h"
#include "pairs.h"
#include "slots.h"

#include <stdint.h>
#include <string.h>

/* The report's skips, each held once: a path skipped for every pair is skipped again for each
 * group of sizes. Rank 0 keeps each (run, path, reason) once and each skip's pairs as
 * arithmetic runs, and writes one element per pair only as the report is written. Pairs
 * (a + i da, b + i db) for i < n. */
struct gx_skip_run {
    int32_t a, b, da, db, n;
};

struct gx_skip_kind {
    char *run, *path, *reason;
};

/* One skip as the engine handed it (no pairs: the path in no pair). */
struct gx_skip_event {
    int32_t kind;
    int32_t npairs;
    size_t first, nruns; /* its runs in gx_skips.runs */
    uint64_t hash;       /* of kind and pairs: a group of sizes repeats an earlier skip */
};

struct gx_skips {
    struct gx_skip_kind *kinds;
    size_t nkinds, kinds_cap;
    struct gx_skip_event *events;
    size_t nevents, events_cap;
    struct gx_skip_run *runs;
    size_t nruns, runs_cap;
    struct gx_slots index; /* events by hash */
};

/* Records a skip unless the same was recorded before. 0, or ENOMEM. run may be NULL. */
int gx_skips_add(struct gx_skips *s, const char *run, const char *path,
                 const struct gx_pair *pairs, int npairs, const char *reason);
/* The report's "skipped", one element per pair (a gx_stream_fill; ctx: the skips). */
int gx_skips_fill(struct gx_jstream *w, int slot, void *ctx);
void gx_skips_free(struct gx_skips *s);

static inline int gx_str_eq(const char *a, const char *b) /* NULL as "" */
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

#endif
