/* --samples beyond what the report holds (GX_SAMPLES_INLINE): one line per result in
 * <output>.samples.jsonl, which the result names. Used by report.c. */
#ifndef GX_SAMPLES_FILE_H
#define GX_SAMPLES_FILE_H

#include "report.h"

#include <sys/types.h>

/* o as one line of fd, repaired (json_repair.h) and written whole: an aborted job or a full disk
 * leaves only complete lines behind. Returns 0 or an errno (ENOMEM: printing it failed). */
int gx_json_append_line(int fd, off_t *end, cJSON *o);
/* res's raw samples as the next line of the samples file (rep->samples_lines counts them),
 * flushed to the disk before the report refers to it. Main thread only. */
int gx_samples_stream(struct gx_report *rep, const struct gx_result *res, struct gx_err *err);
/* Adds "samples_file" {file, line, n} to the result o. */
void gx_samples_ref(cJSON *o, const struct gx_report *rep, long line, size_t n);

#endif
