/* --scenario NAME: a scenario file, or the name of one installed with gpuxfer. */
#ifndef GX_SCENARIO_FIND_H
#define GX_SCENARIO_FIND_H

#include "gx.h"

#include <stdio.h>

/* Opens `name` as a file; a name without '/' that is not a file is then looked up as NAME or
 * NAME.json in each folder of $GPUXFER_SCENARIO_PATH (colon-separated), then in
 * $(pkgdatadir)/scenarios. NULL and a GX_EINPUT error naming where it looked when none opens. */
FILE *gx_scenario_open(const char *name, struct gx_err *err);

#endif
