/* Every string that reaches the report or the .jsonl is valid UTF-8: one Latin-1 byte from the
 * environment or a file name makes the whole report unreadable. The writers repair what they
 * are about to print, so no string escapes the check whichever code added it. */
#ifndef GX_JSON_REPAIR_H
#define GX_JSON_REPAIR_H

#include "json_stream.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define GX_JSON_REPAIRED_KEY "utf8_repaired"

/* A copy of s with each byte that is not valid UTF-8 replaced by U+FFFD; NULL when s is valid
 * or when out of memory (*oom set). */
char *gx_utf8_repaired(const char *s, int *oom);
/* Repairs every key and string under the object item, in place, listing each field's place
 * ("command_line[3]") in its GX_JSON_REPAIRED_KEY array. The number repaired, or -1. */
int gx_json_repair(cJSON *item);
/* The same for an item streamed apart from its document: places below `place`, into notes. */
int gx_json_repair_at(cJSON *item, const char *place, cJSON *notes);
/* gx_stream_item of an element repaired first, its places not listed; 0 or an errno. */
int gx_stream_repaired(struct gx_jstream *w, cJSON *item);

#endif
