/* The one rule by which gpuxfer reads a number or a list, whatever brings it: an option, a
 * scenario value (rendered as the command line would carry it) or an environment variable.
 *  - A number is digits 0-9, at least one. White space (anywhere), a '+' sign, hex, exponents
 *    and decimal points (but in a ratio) make it no number: the message says which.
 *  - A leading '-' is read, so that "-1" is out of range rather than no number.
 *  - A value beyond the range, overflow included, is "out of range (expected LO..HI)".
 *  - Byte counts (sizes, chunks, offsets) take the units K, M, G (2^10, 2^20, 2^30, either
 *    case) and "+N" terms; no other number takes a unit.
 *  - A list is comma-separated; an empty item is an error, as is one past the item limit.
 *  - A list is a set (paths, patterns, sizes, chunks, depths, pairs, bus ids): an item given
 *    twice, or a byte count given twice in two spellings, is an error naming it. Only a list
 *    whose items mean something by their place (--mem SRC,DST, --gpu-map) may repeat one.
 * Every limit (length, count) is reported as a limit, with its value (gx_too_long). */
#ifndef GX_INPUT_H
#define GX_INPUT_H

#include "gx.h"

/* The largest byte count gpuxfer takes (1 PiB): far above any buffer, far below overflow. */
#define GX_BYTES_MAX (1ULL << 50)
/* One list item (a path name, a size, a bus id) holds at most this many characters. */
#define GX_ITEM_MAX 63

int gx_parse_int(const char *text, long long lo, long long hi, long long *out,
                 struct gx_err *err);
int gx_parse_long(const char *text, long lo, long hi, long *out, struct gx_err *err);
/* A byte count: N[KMG][+N[KMG]...], lo..hi bytes. */
int gx_parse_bytes(const char *text, unsigned long long lo, unsigned long long hi, size_t *out,
                   struct gx_err *err);
/* A decimal ratio in (0, 1]: digits with at most one '.', e.g. 0.8. */
int gx_parse_ratio(const char *text, double *out, struct gx_err *err);
/* Splits "a,b,c" into at most max items of at most GX_ITEM_MAX characters, each once. */
int gx_split_list(const char *text, char items[][GX_ITEM_MAX + 1], int max, int *n,
                  struct gx_err *err);
/* The same for a list whose items are positions (SRC,DST; one entry per local rank): an item
 * may repeat. */
int gx_split_positional(const char *text, char items[][GX_ITEM_MAX + 1], int max, int *n,
                        struct gx_err *err);
/* Text that reaches a terminal (a name, a file name, any option's value, a fault spec) is
 * printable: no control character (C0 but tab, DEL, C1) and no bidirectional-text control,
 * which would move the cursor, set a window title or reorder what a table shows. GX_EINPUT
 * naming the first such character's place, the text shown with it escaped. */
int gx_input_printable(const char *text, struct gx_err *err);
/* "WHAT is N characters long (the limit is LIMIT)": GX_EINPUT. */
int gx_too_long(struct gx_err *err, const char *what, size_t len, size_t limit);

#endif
