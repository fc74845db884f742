/* The one rule by which gpuxfer reads a number or a list, whatever brings it: digits only (a '-'
 * read, so "-1" is out of range); a list is a set unless its items are positions. */
#ifndef GX_INPUT_H
#define GX_INPUT_H

#include "gx.h"

#define GX_BYTES_MAX (1ULL << 50) /* 1 PiB: far above any buffer, far below overflow */
#define GX_ITEM_MAX 63 /* characters of one list item (a path name, a size, a bus id) */

int gx_parse_int(const char *text, long long lo, long long hi, long long *out,
                 struct gx_err *err);
int gx_parse_long(const char *text, long lo, long hi, long *out, struct gx_err *err);
int gx_parse_bytes(const char *text, unsigned long long lo, unsigned long long hi, size_t *out,
                   struct gx_err *err);
/* A decimal above 0, at most 1; example: what a value means, for the error ("0.8"). */
int gx_parse_ratio(const char *text, const char *example, double *out, struct gx_err *err);
int gx_split_list(const char *text, char items[][GX_ITEM_MAX + 1], int max, int *n,
                  struct gx_err *err);
/* The same for a list of positions (SRC,DST; one per local rank): an item may repeat. */
int gx_split_positional(const char *text, char items[][GX_ITEM_MAX + 1], int max, int *n,
                        struct gx_err *err);
/* Text that reaches a terminal is printable: GX_EINPUT naming the first offending character. */
int gx_input_printable(const char *text, struct gx_err *err);
int gx_too_long(struct gx_err *err, const char *what, size_t len, size_t limit);

#endif
