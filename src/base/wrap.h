/* The table's notes: "# " lines of prose, wrapped to fit a terminal. */
#ifndef GX_WRAP_H
#define GX_WRAP_H

#include <stdio.h>

/* What the table and its notes fit by default (--wide lifts it for the results' lines). */
#define GX_TABLE_COLUMNS 100

/* Prints the formatted text, "# ..." lines ending in a newline (leading newlines kept), each
 * wrapped at a space before GX_TABLE_COLUMNS; the continuation lines start as "#" and two
 * spaces more than the line's own indent after "#". A word longer than a line stays whole. */
void gx_print_note(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
