/* A JSON document printed exactly as cJSON_Print would print it whole, without holding all of
 * it: when the printer reaches a slot, a filler hands it the array's elements one at a time,
 * each then free to go. */
#ifndef GX_JSON_STREAM_H
#define GX_JSON_STREAM_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct gx_jstream;
/* Fills slot `slot` with gx_stream_item calls; 0 or an errno (which stops the print). */
typedef int (*gx_stream_fill)(struct gx_jstream *w, int slot, void *ctx);
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

cJSON *gx_stream_slot(int slot);
int gx_stream_doc(struct gx_jstream *w, const cJSON *doc);
/* The next element of the slot being filled; its own slots are fill's (NULL: the enclosing
 * slot's filler). */
int gx_stream_item(struct gx_jstream *w, const cJSON *item, gx_stream_fill fill, void *ctx);

#endif
