#ifndef GX_SIZES_H
#define GX_SIZES_H

#include "gx.h"

#define GX_MAX_SIZES 256

struct gx_size_list {
    size_t n;
    size_t v[GX_MAX_SIZES];
};

int gx_parse_size(const char *text, size_t *out, struct gx_err *err);
int gx_parse_sizes(const char *text, struct gx_size_list *out, struct gx_err *err);
/* "4K", "1M", "3M+5": the shortest exact spelling, for tables. */
void gx_format_size(size_t bytes, char *buf, size_t len);
void gx_format_value(double v, char *buf, size_t len);
/* A bandwidth for tables: below GX_GBS_AS_MBS in MB/s with an M ("0.09044M"), as osu shows it. */
#define GX_GBS_AS_MBS 0.01
int gx_format_gbs(double gbs, char *buf, size_t len);
void gx_format_in_unit(double v, const char *unit, char *buf, size_t len);
void gx_print_mbs_legend(FILE *f);
void gx_format_gbs_words(double gbs, char *buf, size_t len);
int gx_unit_is_gbs(const char *unit);

enum gx_size_class gx_size_class(size_t bytes);
const char *gx_size_class_name(enum gx_size_class c);

#endif
