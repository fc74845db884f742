/* --check's last line on stdout (run_report.c): PASS, or FAIL with a reason that Slurm's
 * `scontrol update nodename=X state=drain reason="..."` takes as it is. */
#ifndef GX_VERDICT_H
#define GX_VERDICT_H

#include "links.h"

#include <stddef.h>

/* A drain reason is read in `sinfo -R`'s narrow column; the whole finding is in the report. */
#define GX_VERDICT_REASON_MAX 80

/* "PASS" for exit 0; otherwise `FAIL reason="..."` naming the first finding that is no warning,
 * the data that did not match, or why the check could not run. The reason holds only letters,
 * digits, spaces and . , : / _ + -, at most GX_VERDICT_REASON_MAX characters, cut at a word. */
void gx_verdict_line(char *out, size_t len, int exit_code, const struct gx_health *h, int n,
                     const char *error);

#endif
