#ifndef GX_WRAP_H
#define GX_WRAP_H

#include <stdio.h>

#define GX_TABLE_COLUMNS 100

void gx_print_note(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
