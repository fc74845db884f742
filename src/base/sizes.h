/* Message sizes: parsing "1:1G" ranges and "8,4K,3M+5" lists, and size classes. */
#ifndef GX_SIZES_H
#define GX_SIZES_H

#include "gx.h"

#define GX_MAX_SIZES 256

struct gx_size_list {
    size_t n;
    size_t v[GX_MAX_SIZES];
};

/* One size: N, NK, NM, NG (2^10, 2^20, 2^30), optionally "+N..." added. */
int gx_parse_size(const char *text, size_t *out, struct gx_err *err);
/* A range "A:B" (A, 2A, 4A, ... up to B) or a comma-separated list. */
int gx_parse_sizes(const char *text, struct gx_size_list *out, struct gx_err *err);
/* "4K", "1M", "3M+5": the shortest exact spelling, for tables. */
void gx_format_size(size_t bytes, char *buf, size_t len);
/* A measured value for tables: four significant digits (47.94, 0.004512, 15499; below 0.001
 * with an exponent, 1.308e-05: for bandwidths gx_format_gbs), so that a small one never reads
 * 0.000, none is wider than 9 characters below 1e9, and a large one keeps no false digits. */
void gx_format_value(double v, char *buf, size_t len);
/* A bandwidth in GB/s for tables: as gx_format_value from GX_GBS_AS_MBS up; below it in MB/s
 * with an M after it, four significant digits or five decimals at most (9.044e-05 GB/s:
 * "0.09044M"), never an exponent and never wider than 8 characters: osu's users read small
 * rates in MB/s, and the table streams a block's lines before its larger sizes are measured, so
 * each value says its own unit. 1 where it wrote MB/s. */
#define GX_GBS_AS_MBS 0.01
int gx_format_gbs(double gbs, char *buf, size_t len);
/* A value in unit: a bandwidth (GB/s) as gx_format_gbs, anything else as gx_format_value. */
void gx_format_in_unit(double v, const char *unit, char *buf, size_t len);
/* The legend of gx_format_gbs's M, one line, for a table that printed a value in MB/s. */
void gx_print_mbs_legend(FILE *f);
/* The same in prose ("below 9.044 MB/s", "below 1.250 GB/s"): three decimals in GB/s, as the
 * matrices' lines have them, MB/s below GX_GBS_AS_MBS. */
void gx_format_gbs_words(double gbs, char *buf, size_t len);
/* Whether a result unit is GB/s (the others: us). */
int gx_unit_is_gbs(const char *unit);

enum gx_size_class gx_size_class(size_t bytes);
const char *gx_size_class_name(enum gx_size_class c);

#endif
