/* A JSON document printed exactly as cJSON_Print would print it whole, without holding all of it:
 * some of its arrays are slots (gx_stream_slot), and when the printer reaches one, a filler hands
 * it the array's elements one at a time (gx_stream_item), each printed by cJSON and then free to
 * go. Rank 0 writes its report this way, the results read back from the .jsonl and the pair
 * matrices row by row, so that neither is held whole. */
#ifndef GX_JSON_STREAM_H
#define GX_JSON_STREAM_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct gx_jstream;
/* Fills slot `slot` with gx_stream_item calls; returns 0 or an errno (which stops the print). */
typedef int (*gx_stream_fill)(struct gx_jstream *w, int slot, void *ctx);
/* Where the text goes, in pieces; returns 0 or an errno. */
typedef int (*gx_stream_out)(void *ctx, const char *buf, size_t len);

struct gx_jstream {
    gx_stream_out out;
    void *out_ctx;
    gx_stream_fill fill;
    void *fill_ctx;
    int depth;  /* tabs before the current array's elements' lines */
    int first;  /* no element in the current array yet */
    size_t len; /* bytes in buf */
    char buf[1 << 16];
};

/* A placeholder for an array of slot `slot` (>= 0), to be a member's value in the document. */
cJSON *gx_stream_slot(int slot);
/* Prints doc (formatted) through out, filling its slots; returns 0 or an errno. */
int gx_stream_doc(struct gx_jstream *w, const cJSON *doc);
/* The next element of the slot being filled; it may hold slots of its own, which fill fills
 * (NULL: the filler of the enclosing slot). */
int gx_stream_item(struct gx_jstream *w, const cJSON *item, gx_stream_fill fill, void *ctx);

#endif
