/* --samples beyond GX_SAMPLES_INLINE: one line per result in <output>.samples.jsonl. */
#ifndef GX_SAMPLES_FILE_H
#define GX_SAMPLES_FILE_H

#include "report.h"

#include <sys/types.h>

/* o as one line of fd, repaired and written whole: an aborted job or a full disk leaves only
 * complete lines behind. 0 or an errno. */
int gx_json_append_line(int fd, off_t *end, cJSON *o);
/* Flushed to the disk before the report refers to it. Main thread only. */
int gx_samples_stream(struct gx_report *rep, const struct gx_result *res, struct gx_err *err);
void gx_samples_ref(cJSON *o, const struct gx_report *rep, long line, size_t n);

#endif
