/* --check's last line on stdout (verdict.c): PASS, or FAIL with a reason that Slurm's
 * `scontrol update nodename=X state=drain reason="..."` takes as it is. */
#ifndef GX_VERDICT_H
#define GX_VERDICT_H

#include "links.h"

#include <stddef.h>

/* The reason's most characters: a drain reason is read in `sinfo -R`, whose column is narrow, and
 * a person acts on it; the whole finding is in the report. */
#define GX_VERDICT_REASON_MAX 80

/* The line for a check that ended with exit_code, from what the run already found (the n
 * findings h, the run's error text; either may be empty): "PASS" for exit 0; otherwise
 * `FAIL reason="..."`, the reason naming the first finding that is no warning (exit 8; "+N
 * more" where there are more), the data that did not match (exit 1), or why the check could not
 * run (any other code, "gpuxfer could not run: ..."). The reason holds only letters, digits,
 * spaces and . , : / _ + - (other characters become spaces, runs of spaces one), at most
 * GX_VERDICT_REASON_MAX characters, cut at a word. */
void gx_verdict_line(char *out, size_t len, int exit_code, const struct gx_health *h, int n,
                     const char *error);

#endif
