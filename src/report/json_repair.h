/* Every string that reaches the report or the .jsonl is valid UTF-8: bytes from the command
 * line, scenario names, paths and the environment are not (a Latin-1 job name, a raw byte in a
 * file name), and one of them makes the whole report unreadable. The writers call
 * gx_json_repair on what they are about to print, so no string escapes the check whichever
 * code added it. */
#ifndef GX_JSON_REPAIR_H
#define GX_JSON_REPAIR_H

#include "json_stream.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define GX_JSON_REPAIRED_KEY "utf8_repaired"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if the byte at s does not start one
 * (overlong forms, surrogates and code points above U+10FFFF are not valid). */
size_t gx_utf8_seq_len(const unsigned char *s);
/* A copy of s with each byte that is not part of valid UTF-8 replaced by U+FFFD; NULL when s
 * is already valid (nothing to do) or when out of memory (*oom set). */
char *gx_utf8_repaired(const char *s, int *oom);
/* Repairs every key and string value under item, in place; each repaired field's place
 * ("command_line[3]", "context.job.env.SLURM_JOB_NAME") is appended to item's
 * GX_JSON_REPAIRED_KEY array (made when the first one is found). item must be an object.
 * Returns the number of fields repaired, or -1 when out of memory. */
int gx_json_repair(cJSON *item);
/* The same for an item written apart from its document (a streamed element): each place is
 * `place` ("context.ranks[3]") and the field's below it, appended to notes (the document's
 * list, or one to throw away). Returns the number repaired, or -1 when out of memory. */
int gx_json_repair_at(cJSON *item, const char *place, cJSON *notes);
/* gx_stream_item of an element repaired first, its places not listed (where they must be, the
 * writer listed them before: gx_report_note_repairs); 0 or an errno. */
int gx_stream_repaired(struct gx_jstream *w, cJSON *item);

#endif
