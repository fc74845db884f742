/* The report's JSON helpers (json_stream.c): a document streamed as cJSON would print it, and
 * its strings repaired. */
#ifndef GX_JSON_STREAM_H
#define GX_JSON_STREAM_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* A new object at the end of the array arr, or NULL when out of memory (arr as it was). */
static inline cJSON *gx_json_append_object(cJSON *arr)
{
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* o's `key` replaced by item (taken; NULL: removed), now its last member. */
static inline void gx_json_replace(cJSON *o, const char *key, cJSON *item)
{
    cJSON_DeleteItemFromObject(o, key);
    if (item)
        cJSON_AddItemToObject(o, key, item);
}

/* A JSON document printed exactly as cJSON_Print would print it whole, without holding all of
 * it: when the printer reaches a slot, a filler hands it the array's elements one at a time,
 * each then free to go. */
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

/* Every string that reaches the report or the .jsonl is valid UTF-8: one Latin-1 byte from the
 * environment or a file name makes the whole report unreadable. The writers repair what they
 * are about to print, so no string escapes the check whichever code added it. */
#define GX_JSON_REPAIRED_KEY "utf8_repaired"

/* A copy of s with each byte that is not valid UTF-8 replaced by U+FFFD; NULL when s is valid
 * or when out of memory (*oom set). */
char *gx_utf8_repaired(const char *s, int *oom);
/* Repairs every key and string under the object item, in place, listing each field's place
 * below `place` ("command_line[3]" below "") in the GX_JSON_REPAIRED_KEY array of notes_in, made
 * there when a field is repaired: item itself for a whole document, the document for an element
 * streamed apart from it, NULL for an element whose places are listed already. The number
 * repaired, or -1. */
int gx_json_repair(cJSON *item, const char *place, cJSON *notes_in);

#endif
